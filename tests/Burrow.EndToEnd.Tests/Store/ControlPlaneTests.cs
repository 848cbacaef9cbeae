using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Store;

/// <summary>
/// The control plane end to end: the real <c>burrow server</c> with its store (SQLite file or a real
/// PostgreSQL), real agents, and the test acting as the operator on the same database.
/// </summary>
public sealed class ControlPlaneTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(StoreKinds.Both), MemberType = typeof(StoreKinds))]
    public async Task First_start_bootstraps_an_account_whose_printed_token_works_and_a_restart_keeps_it(StoreKind kind)
    {
        var (database, args) = await StoreKinds.NewAsync(kind, postgres);
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        using var state = new TempDirectory();
        string token;
        await using (var edge = await EdgeRun.StartAsync(data.Path, token: null, extra: args))
        {
            token = edge.Token;
            Assert.Matches("^brw_[0-9A-Za-z]{40}$", token);
            Assert.Matches("^brwk_[0-9A-Za-z]{40}$", edge.BootstrapApiKey);
            Assert.Contains($"--authtoken {token}", edge.Process.Output, StringComparison.Ordinal);

            await using (var agent = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs()], state.Path, timeout: Wait))
            {
                var (exit, body, err) = await Curl.RunAsync(["--cacert", edge.CaPath, "--resolve", $"{agent.HttpsUrl.Host}:{edge.HttpsPort}:127.0.0.1", new Uri(agent.HttpsUrl, "/hello").ToString()]);
                Assert.True(exit == 0, err);
                Assert.Equal("hello from upstream", body);
            }

            await using var store = await StoreKinds.OpenAsync(database, data.Path);
            Authtoken stored = (await store.FindAuthtokenAsync(token))!;
            Assert.Equal("admin", (await store.GetAccountAsync(stored.AccountId))!.Name);
            Assert.NotNull(await store.FindApiKeyAsync(edge.BootstrapApiKey!));
            await StoreKinds.WaitForAuditAsync(store, e => e.Kind == AuditKinds.TunnelBound && e.AuthtokenId == stored.Id, "tunnel.bound");
            var opened = await StoreKinds.WaitForAuditAsync(store, e => e.Kind == AuditKinds.SessionOpened && e.AuthtokenId == stored.Id, "session.opened");
            Assert.StartsWith("127.0.0.1:", opened.Address, StringComparison.Ordinal);
        }

        await using (var again = await EdgeRun.StartAsync(data.Path, token: null, extra: args))
        {
            Assert.DoesNotContain("The store was empty", again.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("brwk_", again.Process.Output, StringComparison.Ordinal);
            using var state2 = new TempDirectory();
            await using var agent = await AgentRun.StartAsync([Port(upstream.Port), .. again.AgentArgs(token)], state2.Path, timeout: Wait);
            Assert.EndsWith(".localhost", agent.HttpsUrl.Host, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_token_scoped_to_alice_binds_her_names_and_is_refused_bob_example_com()
    {
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(data.Path, token: null, extra: ["--domain", "example.com"]);
        string scoped;
        await using (var store = await StoreKinds.OpenAsync(null, data.Path))
        {
            Account alice = await store.CreateAccountAsync("alice");
            scoped = (await store.CreateAuthtokenAsync(new NewAuthtoken
            {
                AccountId = alice.Id, Name = "alice", Scopes = new AuthtokenScopes { Hostnames = ["*.alice.example.com"] },
            })).Secret;
        }

        using var state1 = new TempDirectory();
        await using var ok = await AgentRun.StartAsync([Port(upstream.Port), "--url", "app.alice.example.com", .. edge.AgentArgs(scoped)], state1.Path, timeout: Wait);
        Assert.Equal("app.alice.example.com", ok.HttpsUrl.Host);
        var (exit, body, err) = await Curl.RunAsync([$"http://127.0.0.1:{edge.HttpPort}/hello", "-H", $"Host: app.alice.example.com:{edge.HttpPort}"]);
        Assert.True(exit == 0, err);
        Assert.Equal("hello from upstream", body);

        using var state2 = new TempDirectory();
        await using var bob = await AgentRun.StartAsync([Port(upstream.Port), "--url", "bob.example.com", .. edge.AgentArgs(scoped)], state2.Path, waitForUrl: false);
        await bob.Process.WaitForLineAsync("ERR_BURROW_2015: .*bob.example.com.*alice.example.com", TimeSpan.FromSeconds(60));
        Assert.Equal(1, await bob.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        // No name asked: a scoped token gets no random name either.
        using var state3 = new TempDirectory();
        await using var random = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(scoped)], state3.Path, waitForUrl: false);
        await random.Process.WaitForLineAsync("ERR_BURROW_2015", TimeSpan.FromSeconds(60));
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(StoreKinds.Both), MemberType = typeof(StoreKinds))]
    public async Task Revoking_a_token_closes_its_live_session_within_seconds_and_frees_its_name(StoreKind kind)
    {
        var (database, args) = await StoreKinds.NewAsync(kind, postgres);
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(data.Path, token: null, extra: args);
        await using var store = await StoreKinds.OpenAsync(database, data.Path);
        Account carol = await store.CreateAccountAsync("carol");
        CreatedAuthtoken token = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = carol.Id, Name = "carol" });

        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([Port(upstream.Port), "--url", "carol", .. edge.AgentArgs(token.Secret)], state.Path, timeout: Wait);
        var (exit, _, err) = await Curl.RunAsync(["--cacert", edge.CaPath, "--resolve", $"carol.localhost:{edge.HttpsPort}:127.0.0.1", $"https://carol.localhost:{edge.HttpsPort}/hello"]);
        Assert.True(exit == 0, err);

        var revokedAt = System.Diagnostics.Stopwatch.StartNew();
        await store.RevokeAuthtokenAsync(token.Token.Id);
        await agent.Process.WaitForLineAsync("ERR_BURROW_1005", TimeSpan.FromSeconds(30));
        TimeSpan noticed = revokedAt.Elapsed;
        var exiting = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(1, await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        // The fatal error printed, the process ends with it (it lingered 30 s while the inspector's Kestrel waited).
        Assert.True(exiting.Elapsed < TimeSpan.FromSeconds(10), $"the agent lingered {exiting.Elapsed} after the error");

        // The tunnel went with the session: its name is no longer served.
        var (exit2, page, _) = await Curl.RunAsync(["--cacert", edge.CaPath, "--resolve", $"carol.localhost:{edge.HttpsPort}:127.0.0.1", $"https://carol.localhost:{edge.HttpsPort}/hello"]);
        Assert.Equal(0, exit2);
        Assert.Contains("ERR_BURROW_3001", page, StringComparison.Ordinal);
        var closed = await StoreKinds.WaitForAuditAsync(store, e => e.Kind == AuditKinds.SessionClosed && e.AuthtokenId == token.Token.Id, "session.closed");
        Assert.Contains("ERR_BURROW_1005", closed.Detail, StringComparison.Ordinal);
        // Polled every second; generous bound for a loaded machine.
        Assert.True(noticed < TimeSpan.FromSeconds(15), $"closed after {noticed}");
    }

    [Fact(Timeout = 180_000)]
    public async Task Quotas_refuse_the_session_and_the_tunnel_over_the_limit_with_their_codes()
    {
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(data.Path, token: null);
        string oneSession, oneTunnel;
        await using (var store = await StoreKinds.OpenAsync(null, data.Path))
        {
            Account dave = await store.CreateAccountAsync("dave");
            oneSession = (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = dave.Id, Name = "s", Scopes = new AuthtokenScopes { MaxSessions = 1 } })).Secret;
            oneTunnel = (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = dave.Id, Name = "t", Scopes = new AuthtokenScopes { MaxTunnels = 1 } })).Secret;
        }

        using var s1 = new TempDirectory();
        using var s2 = new TempDirectory();
        await using (var first = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(oneSession)], s1.Path, timeout: Wait))
        await using (var second = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(oneSession)], s2.Path, waitForUrl: false))
        {
            await second.Process.WaitForLineAsync("ERR_BURROW_1007", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("Forwarding", second.Process.Output, StringComparison.Ordinal);
        }

        using var t1 = new TempDirectory();
        using var t2 = new TempDirectory();
        await using var tunnel1 = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(oneTunnel)], t1.Path, timeout: Wait);
        await using var tunnel2 = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(oneTunnel)], t2.Path, waitForUrl: false);
        await tunnel2.Process.WaitForLineAsync("ERR_BURROW_2018: This authtoken may hold 1 tunnels", TimeSpan.FromSeconds(60));
        Assert.Equal(1, await tunnel2.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(StoreKinds.Both), MemberType = typeof(StoreKinds))]
    public async Task A_reserved_domain_stays_its_owners_across_an_edge_restart(StoreKind kind)
    {
        var (database, args) = await StoreKinds.NewAsync(kind, postgres);
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        string aliceToken, bobToken;
        await using (var store = await StoreKinds.OpenAsync(database, data.Path))
        {
            Account aliceAccount = await store.CreateAccountAsync("alice");
            Account bobAccount = await store.CreateAccountAsync("bob");
            await store.ReserveDomainAsync(aliceAccount.Id, "demo.localhost");
            aliceToken = (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = aliceAccount.Id, Name = "a" })).Secret;
            bobToken = (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = bobAccount.Id, Name = "b" })).Secret;
        }

        using var bobState = new TempDirectory();
        using var aliceState = new TempDirectory();
        AgentRun alice;
        string[] addrs;
        int httpsPort;
        await using (var edge = await EdgeRun.StartAsync(data.Path, token: null, extra: args))
        {
            // The restarted edge listens where this one did, so the agent finds it again.
            httpsPort = edge.HttpsPort;
            addrs = [edge.AgentAddress, $"127.0.0.1:{edge.HttpsPort}", $"127.0.0.1:{edge.HttpPort}"];
            // Bob is refused while the owner is offline, too.
            await using (var bob = await AgentRun.StartAsync([Port(upstream.Port), "--url", "demo", .. edge.AgentArgs(bobToken)], bobState.Path, waitForUrl: false))
            {
                await bob.Process.WaitForLineAsync("ERR_BURROW_2016: Hostname 'demo.localhost' is reserved", TimeSpan.FromSeconds(60));
            }

            alice = await AgentRun.StartAsync([Port(upstream.Port), "--url", "demo", .. edge.AgentArgs(aliceToken)], aliceState.Path, timeout: Wait);
            Assert.Equal("demo.localhost", alice.HttpsUrl.Host);
        }

        await using (alice)
        await using (var restarted = await EdgeRun.StartAsync(data.Path, token: null, extra: args, agentAddr: addrs[0], httpsAddr: addrs[1], httpAddr: addrs[2]))
        {
            // The owner's agent reconnects by itself (with backoff) and gets its name back.
            string body = "";
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(90) && body != "hello from upstream";)
            {
                await Task.Delay(500);
                (_, body, _) = await Curl.RunAsync(["--cacert", restarted.CaPath, "--resolve", $"demo.localhost:{httpsPort}:127.0.0.1", $"https://demo.localhost:{httpsPort}/hello"]);
            }

            Assert.Equal("hello from upstream", body);

            using var bobState2 = new TempDirectory();
            await using var bob = await AgentRun.StartAsync([Port(upstream.Port), "--url", "demo", .. restarted.AgentArgs(bobToken)], bobState2.Path, waitForUrl: false);
            await bob.Process.WaitForLineAsync("ERR_BURROW_2016", TimeSpan.FromSeconds(60));
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task An_edge_killed_mid_use_loses_no_committed_data()
    {
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        string bootstrapToken, laterToken, laterId;
        await using (var edge = await EdgeRun.StartAsync(data.Path, token: null))
        {
            bootstrapToken = edge.Token;
            await using var store = await StoreKinds.OpenAsync(null, data.Path);
            Account erin = await store.CreateAccountAsync("erin");
            CreatedAuthtoken later = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = erin.Id, Name = "later" });
            (laterToken, laterId) = (later.Secret, later.Token.Id);
            using var state = new TempDirectory();
            await using var agent = await AgentRun.StartAsync([Port(upstream.Port), .. edge.AgentArgs(laterToken)], state.Path, timeout: Wait);
            await StoreKinds.WaitForAuditAsync(store, e => e.Kind == AuditKinds.TunnelBound && e.AuthtokenId == laterId, "tunnel.bound");
            // As a crash would: no shutdown, no flush.
            edge.Process.Kill();
        }

        await using var again = await EdgeRun.StartAsync(data.Path, token: null);
        Assert.DoesNotContain("The store was empty", again.Process.Output, StringComparison.Ordinal);
        await using (var store = await StoreKinds.OpenAsync(null, data.Path))
        {
            Assert.Equal(2, await store.CountAccountsAsync());
            Assert.NotNull(await store.FindAuthtokenAsync(bootstrapToken));
            Assert.NotEmpty(await store.QueryAuditEventsAsync(new AuditQuery { Kind = AuditKinds.TunnelBound, AccountId = (await store.FindAuthtokenAsync(laterToken))!.AccountId }));
        }

        using var state2 = new TempDirectory();
        await using var agent2 = await AgentRun.StartAsync([Port(upstream.Port), .. again.AgentArgs(laterToken)], state2.Path, timeout: Wait);
        Assert.EndsWith(".localhost", agent2.HttpsUrl.Host, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Agents_racing_for_one_hostname_leave_exactly_one_owner()
    {
        using var data = new TempDirectory();
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(data.Path, token: null);
        string[] tokens;
        await using (var store = await StoreKinds.OpenAsync(null, data.Path))
        {
            Account frank = await store.CreateAccountAsync("frank");
            tokens = [.. await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
                (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = frank.Id, Name = $"r{i}" })).Secret))];
        }

        var states = tokens.Select(_ => new TempDirectory()).ToList();
        var agents = await Task.WhenAll(tokens.Select((t, i) =>
            AgentRun.StartAsync([Port(upstream.Port), "--url", "race", .. edge.AgentArgs(t)], states[i].Path, waitForUrl: false)));
        try
        {
            var outcomes = await Task.WhenAll(agents.Select(async a =>
            {
                var line = await a.Process.WaitForLineAsync(@"^Forwarding https://race\.localhost|ERR_BURROW_2001", TimeSpan.FromSeconds(90));
                return line.Value.StartsWith("Forwarding", StringComparison.Ordinal);
            }));
            Assert.Equal(1, outcomes.Count(won => won));
        }
        finally
        {
            foreach (var a in agents)
            {
                await a.DisposeAsync();
            }

            states.ForEach(s => s.Dispose());
        }
    }
}
