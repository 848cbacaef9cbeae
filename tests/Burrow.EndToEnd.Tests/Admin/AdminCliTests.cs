using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.EndToEnd.Tests.Store;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Admin;

/// <summary><c>burrow admin</c> against a real <c>burrow server</c> (its SQLite file, or a real PostgreSQL), with real agents.</summary>
public sealed class AdminCliTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Theory(Timeout = 240_000)]
    [MemberData(nameof(StoreKinds.Both), MemberType = typeof(StoreKinds))]
    public async Task Admin_commands_manage_accounts_tokens_domains_and_addresses_and_read_the_audit_log(StoreKind kind)
    {
        var (_, storeArgs) = await StoreKinds.NewAsync(kind, postgres);
        await using var edge = await EdgeRun.StartAsync(extra: storeArgs);
        Assert.NotNull(edge.AdminUrl);

        AdminCli.Result account = await AdminCli.RunAsync(edge, "accounts", "create", "bob", "--json");
        Assert.True(account.ExitCode == 0, account.Output);
        string bobId = account.Json.GetProperty("id").GetString()!;
        AdminCli.Result accounts = await AdminCli.RunAsync(edge, "accounts", "list");
        Assert.Contains("bob", accounts.Stdout, StringComparison.Ordinal);
        Assert.Contains("admin", accounts.Stdout, StringComparison.Ordinal);

        AdminCli.Result token = await AdminCli.RunAsync(edge, "token", "create", "--name", "ci", "--account", bobId, "--hostname", "*.bob.localhost", "--max-tunnels", "2", "--json");
        Assert.True(token.ExitCode == 0, token.Output);
        string tokenId = token.Json.GetProperty("authtoken").GetProperty("id").GetString()!;
        Assert.StartsWith("brw_", token.Json.GetProperty("token").GetString(), StringComparison.Ordinal);
        AdminCli.Result people = await AdminCli.RunAsync(edge, "token", "create", "--name", "laptop");
        Assert.Matches(@"Authtoken \(shown once, store it now\): brw_\w+", people.Stdout);
        AdminCli.Result tokens = await AdminCli.RunAsync(edge, "token", "list");
        Assert.Contains(tokenId, tokens.Stdout, StringComparison.Ordinal);
        Assert.Contains("*.bob.localhost; max 2 tunnels", tokens.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Json.GetProperty("token").GetString()!, tokens.Stdout, StringComparison.Ordinal);

        AdminCli.Result reserved = await AdminCli.RunAsync(edge, "domain", "reserve", "demo", "--account", bobId, "--description", "the demo");
        Assert.True(reserved.ExitCode == 0, reserved.Output);
        Assert.Contains("demo.localhost", reserved.Stdout, StringComparison.Ordinal);
        AdminCli.Result again = await AdminCli.RunAsync(edge, "domain", "reserve", "demo");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("ERR_BURROW_8003", again.Output, StringComparison.Ordinal);
        JsonElement domains = (await AdminCli.RunAsync(edge, "domain", "list", "--json")).Json;
        Assert.Equal("demo.localhost", domains[0].GetProperty("hostname").GetString());
        Assert.Equal(bobId, domains[0].GetProperty("account_id").GetString());
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "release", "demo.localhost")).ExitCode);
        Assert.Contains("No reserved domains.", (await AdminCli.RunAsync(edge, "domain", "list")).Stdout, StringComparison.Ordinal);

        AdminCli.Result address = await AdminCli.RunAsync(edge, "address", "reserve", "20555", "--account", bobId);
        Assert.True(address.ExitCode == 0, address.Output);
        Assert.Contains("localhost:20555", (await AdminCli.RunAsync(edge, "address", "list")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "address", "release", "20555")).ExitCode);
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "address", "list", "--json")).Json.GetArrayLength());

        AdminCli.Result revoked = await AdminCli.RunAsync(edge, "token", "revoke", tokenId);
        Assert.True(revoked.ExitCode == 0, revoked.Output);
        Assert.Contains($"Revoked {tokenId}", revoked.Stdout, StringComparison.Ordinal);
        AdminCli.Result unknown = await AdminCli.RunAsync(edge, "token", "revoke", "tok_nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("ERR_BURROW_8002", unknown.Output, StringComparison.Ordinal);

        JsonElement audit = (await AdminCli.RunAsync(edge, "audit", "--kind", "token.revoked", "--json")).Json;
        Assert.Equal(tokenId, audit[0].GetProperty("authtoken_id").GetString());
        AdminCli.Result table = await AdminCli.RunAsync(edge, "audit", "--account", bobId);
        foreach (string auditKind in new[] { "token.created", "domain.reserved", "domain.released", "tcp_address.reserved", "tcp_address.released", "token.revoked" })
        {
            Assert.Contains(auditKind, table.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sessions_show_their_traffic_and_a_session_killed_through_the_api_is_closed_at_the_agent()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. edge.AgentArgs()], state.Path);
        using HttpClient client = Clients.Create(edge.CaPath);
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(new Uri(agent.HttpUrl!, "/hello"), TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode);
        }

        JsonElement sessions = (await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json;
        JsonElement session = Assert.Single(sessions.EnumerateArray());
        string sessionId = session.GetProperty("id").GetString()!;
        Assert.True(session.GetProperty("connected").GetBoolean());
        Assert.StartsWith("127.0.0.1:", session.GetProperty("remote_address").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(session.GetProperty("agent_version").GetString()));
        Assert.Equal(1, session.GetProperty("tunnel_count").GetInt32());
        Assert.True(session.GetProperty("traffic").GetProperty("requests").GetInt64() >= 3);
        Assert.True(session.GetProperty("traffic").GetProperty("bytes_in").GetInt64() > 0);
        Assert.True(session.GetProperty("traffic").GetProperty("bytes_out").GetInt64() > 0);
        JsonElement tunnel = Assert.Single((await AdminCli.RunAsync(edge, "tunnels", "list", "--json")).Json.EnumerateArray());
        Assert.Equal(sessionId, tunnel.GetProperty("session_id").GetString());
        Assert.Equal("http", tunnel.GetProperty("proto").GetString());
        Assert.True(tunnel.GetProperty("traffic").GetProperty("requests").GetInt64() >= 3);
        Assert.Contains(sessionId, (await AdminCli.RunAsync(edge, "sessions", "list")).Stdout, StringComparison.Ordinal);

        AdminCli.Result kill = await AdminCli.RunAsync(edge, "sessions", "kill", sessionId);
        Assert.True(kill.ExitCode == 0, kill.Output);

        // The agent hears why, and its session is gone from the edge (it may come back as a new one).
        await agent.Process.WaitForLineAsync("ERR_BURROW_8007", TimeSpan.FromSeconds(30));
        JsonElement after = (await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json;
        Assert.DoesNotContain(after.EnumerateArray(), s => s.GetProperty("id").GetString() == sessionId);
        JsonElement closed = (await AdminCli.RunAsync(edge, "audit", "--kind", "session.closed", "--json")).Json;
        Assert.Contains(closed.EnumerateArray(), e => e.GetProperty("session_id").GetString() == sessionId && e.GetProperty("detail").GetString()!.Contains("ERR_BURROW_8007", StringComparison.Ordinal));
        AdminCli.Result twice = await AdminCli.RunAsync(edge, "sessions", "kill", sessionId);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("ERR_BURROW_8002", twice.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_created_with_burrow_admin_connects_an_agent_and_revoking_it_closes_the_agents_session()
    {
        // No --authtoken: only stored tokens work.
        await using var edge = await EdgeRun.StartAsync(token: null);
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        AdminCli.Result created = await AdminCli.RunAsync(edge, "token", "create", "--name", "agent", "--json");
        Assert.True(created.ExitCode == 0, created.Output);
        string secret = created.Json.GetProperty("token").GetString()!;
        string tokenId = created.Json.GetProperty("authtoken").GetProperty("id").GetString()!;

        await using var agent = await AgentRun.StartAsync([upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. edge.AgentArgs(secret)], state.Path);
        Assert.Single((await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json.EnumerateArray());

        Assert.Equal(0, (await AdminCli.RunAsync(edge, "token", "revoke", tokenId)).ExitCode);

        await agent.Process.WaitForLineAsync("ERR_BURROW_1005", TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await AdminCli.RunAsync(edge, "sessions", "list", "--json")).Json.GetArrayLength() > 0)
        {
            await Task.Delay(500, cts.Token);
        }
    }

    [Fact]
    public async Task A_bad_or_missing_api_key_and_an_unreachable_edge_are_refused_with_their_codes()
    {
        await using var edge = await EdgeRun.StartAsync();
        using var empty = new TempDirectory();

        AdminCli.Result bad = await AdminCli.RunRawAsync(["admin", "sessions", "list", "--admin-url", edge.AdminUrl!, "--api-key", "brwk_" + new string('z', 40)]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("ERR_BURROW_8001", bad.Output, StringComparison.Ordinal);

        AdminCli.Result missing = await AdminCli.RunRawAsync(["admin", "token", "list", "--admin-url", edge.AdminUrl!, "--data-dir", empty.Path]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("ERR_BURROW_8006", missing.Output, StringComparison.Ordinal);

        AdminCli.Result good = await AdminCli.RunRawAsync(["admin", "token", "list", "--admin-url", edge.AdminUrl!, "--api-key", edge.ApiKey!]);
        Assert.True(good.ExitCode == 0, good.Output);

        await edge.Process.DisposeAsync();
        AdminCli.Result gone = await AdminCli.RunRawAsync(["admin", "sessions", "list", "--admin-url", edge.AdminUrl!, "--api-key", edge.ApiKey!]);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("ERR_BURROW_8005", gone.Output, StringComparison.Ordinal);
    }
}
