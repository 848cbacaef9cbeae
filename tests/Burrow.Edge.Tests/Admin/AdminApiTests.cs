using Burrow.Storage.Tests.Harness;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Burrow.Storage;

namespace Burrow.Edge.Tests.Admin;

/// <summary>Every admin API route against a real edge, on SQLite and on a real PostgreSQL.</summary>
[Collection(PostgresGroup.Name)]
public sealed class AdminApiTests
{
    private readonly PostgresServer _postgres;

    public AdminApiTests(PostgresServer postgres)
    {
        _postgres = postgres;
    }

    public static TheoryData<StoreKind> Kinds => new(StoreKind.Sqlite, StoreKind.Postgres);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Requests_without_a_live_api_key_are_refused_with_8001(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);
        string accountId = (await admin.Store.ListAccountsAsync(Ct))[0].Id;
        CreatedApiKey revoked = await admin.Store.CreateApiKeyAsync(accountId, "old", Ct);
        await admin.Store.RevokeApiKeyAsync(revoked.Key.Id, Ct);
        CreatedApiKey second = await admin.Store.CreateApiKeyAsync(accountId, "second", Ct);

        using HttpResponseMessage none = await admin.Anonymous.GetAsync("api/v1/accounts", Ct);
        using HttpClient wrong = admin.Create("brwk_" + new string('x', 40));
        using HttpResponseMessage wrongKey = await wrong.GetAsync("api/v1/sessions", Ct);
        using HttpClient old = admin.Create(revoked.Secret);
        using HttpResponseMessage revokedKey = await old.PostAsJsonAsync("api/v1/accounts", new { name = "mallory" }, Ct);
        using HttpClient other = admin.Create(second.Secret);
        using HttpResponseMessage ok = await other.GetAsync("api/v1/accounts", Ct);

        foreach (HttpResponseMessage refused in new[] { none, wrongKey, revokedKey })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            JsonElement error = await JsonAsync(refused);
            Assert.Equal("ERR_BURROW_8001", error.GetProperty("error_code").GetString());
            Assert.Equal(401, error.GetProperty("status_code").GetInt32());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("msg").GetString()));
        }

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Null(await admin.Store.FindReservedDomainAsync("mallory", Ct));
        Assert.DoesNotContain(await admin.Store.ListAccountsAsync(Ct), a => a.Name == "mallory");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Accounts_are_created_read_renamed_listed_and_deleted(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        using HttpResponseMessage created = await admin.Client.PostAsJsonAsync("api/v1/accounts", new { name = "alice" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string id = (await JsonAsync(created)).GetProperty("id").GetString()!;
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/accounts", new { name = "ALICE" }, Ct), HttpStatusCode.Conflict, "ERR_BURROW_8003");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/accounts", new { name = " " }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");

        JsonElement got = await GetJsonAsync(admin.Client, $"api/v1/accounts/{id}");
        Assert.Equal("alice", got.GetProperty("name").GetString());
        using HttpResponseMessage renamed = await admin.Client.PatchAsJsonAsync($"api/v1/accounts/{id}", new { name = "alice2" }, Ct);
        Assert.Equal("alice2", (await JsonAsync(renamed)).GetProperty("name").GetString());
        JsonElement list = await GetJsonAsync(admin.Client, "api/v1/accounts");
        Assert.Contains(list.EnumerateArray(), a => a.GetProperty("id").GetString() == id && a.GetProperty("name").GetString() == "alice2");

        using HttpResponseMessage deleted = await admin.Client.DeleteAsync($"api/v1/accounts/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertErrorAsync(await admin.Client.GetAsync($"api/v1/accounts/{id}", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.DeleteAsync($"api/v1/accounts/{id}", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.PatchAsJsonAsync($"api/v1/accounts/{id}", new { name = "x" }, Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        Assert.Null(await admin.Store.GetAccountAsync(id, Ct));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_authtoken_is_shown_once_works_in_the_store_and_can_be_rescoped_and_revoked(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        using HttpResponseMessage created = await admin.Client.PostAsJsonAsync("api/v1/authtokens", new
        {
            name = "laptop",
            scopes = new { hostnames = new[] { "*.alice.tunnel.test" }, allow_tcp = false, max_tunnels = 3 },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement body = await JsonAsync(created);
        string secret = body.GetProperty("token").GetString()!;
        string id = body.GetProperty("authtoken").GetProperty("id").GetString()!;
        Assert.StartsWith("brw_", secret, StringComparison.Ordinal);

        // The secret works against the store, with the scopes given, and is never shown again.
        Authtoken stored = (await admin.Store.FindAuthtokenAsync(secret, Ct))!;
        Assert.Equal(id, stored.Id);
        Assert.Equal(["*.alice.tunnel.test"], stored.Scopes.Hostnames);
        Assert.False(stored.Scopes.AllowTcp);
        Assert.True(stored.Scopes.AllowTls);
        Assert.Equal(3, stored.Scopes.MaxTunnels);
        string listText = await admin.Client.GetStringAsync("api/v1/authtokens", Ct);
        Assert.Contains(id, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await admin.Client.GetStringAsync($"api/v1/authtokens/{id}", Ct), StringComparison.Ordinal);
        JsonElement mine = await GetJsonAsync(admin.Client, $"api/v1/authtokens?account_id={stored.AccountId}");
        Assert.Single(mine.EnumerateArray(), t => t.GetProperty("id").GetString() == id);
        Assert.Empty((await GetJsonAsync(admin.Client, "api/v1/authtokens?account_id=acc_nobody")).EnumerateArray());

        using HttpResponseMessage patched = await admin.Client.PatchAsJsonAsync($"api/v1/authtokens/{id}", new { hostnames = new[] { "demo" }, max_sessions = 1 }, Ct);
        JsonElement scopes = (await JsonAsync(patched)).GetProperty("scopes");
        Assert.Equal("demo", scopes.GetProperty("hostnames")[0].GetString());
        Assert.Equal(1, scopes.GetProperty("max_sessions").GetInt32());
        Assert.Equal(1, (await admin.Store.GetAuthtokenAsync(id, Ct))!.Scopes.MaxSessions);

        using HttpResponseMessage revoked = await admin.Client.DeleteAsync($"api/v1/authtokens/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await JsonAsync(revoked)).GetProperty("revoked_at").ValueKind);
        Assert.True((await admin.Store.FindAuthtokenAsync(secret, Ct))!.IsRevoked);

        await AssertErrorAsync(await admin.Client.DeleteAsync("api/v1/authtokens/tok_nope", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.GetAsync("api/v1/authtokens/tok_nope", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/authtokens", new { name = "x", account_id = "acc_nope" }, Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/authtokens", new { name = "" }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/authtokens", new { name = "old", expires_at = DateTimeOffset.UtcNow.AddHours(-1) }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/authtokens", new { name = "neg", scopes = new { max_tunnels = -1 } }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Domains_and_tcp_addresses_are_reserved_listed_and_released(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        using HttpResponseMessage label = await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = "Demo", description = "the demo" }, Ct);
        Assert.Equal(HttpStatusCode.Created, label.StatusCode);
        JsonElement demo = await JsonAsync(label);
        Assert.Equal("demo.tunnel.test", demo.GetProperty("hostname").GetString());
        using HttpResponseMessage custom = await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = "app.alice.dev" }, Ct);
        Assert.Equal(HttpStatusCode.Created, custom.StatusCode);
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = "demo.tunnel.test" }, Ct), HttpStatusCode.Conflict, "ERR_BURROW_8003");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = "bad_name.example.com" }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        Assert.NotNull(await admin.Store.FindReservedDomainAsync("demo.tunnel.test", Ct));
        JsonElement domains = await GetJsonAsync(admin.Client, "api/v1/reserved_domains");
        Assert.Equal(["app.alice.dev", "demo.tunnel.test"], domains.EnumerateArray().Select(d => d.GetProperty("hostname").GetString()).Order());

        string demoId = demo.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"api/v1/reserved_domains/{demoId}", Ct)).StatusCode);
        await AssertErrorAsync(await admin.Client.DeleteAsync($"api/v1/reserved_domains/{demoId}", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        Assert.Null(await admin.Store.FindReservedDomainAsync("demo.tunnel.test", Ct));

        using HttpResponseMessage port = await admin.Client.PostAsJsonAsync("api/v1/reserved_addrs", new { port = 20042, description = "ssh" }, Ct);
        Assert.Equal(HttpStatusCode.Created, port.StatusCode);
        JsonElement address = await JsonAsync(port);
        Assert.Equal("tunnel.test:20042", address.GetProperty("address").GetString());
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_addrs", new { port = 20042 }, Ct), HttpStatusCode.Conflict, "ERR_BURROW_8003");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_addrs", new { port = 70000 }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.PostAsJsonAsync("api/v1/reserved_addrs", new { }, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        Assert.Equal(20042, (await GetJsonAsync(admin.Client, "api/v1/reserved_addrs"))[0].GetProperty("port").GetInt32());
        string portId = address.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"api/v1/reserved_addrs/{portId}", Ct)).StatusCode);
        await AssertErrorAsync(await admin.Client.DeleteAsync($"api/v1/reserved_addrs/{portId}", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        Assert.Null(await admin.Store.FindReservedTcpAddressAsync(20042, Ct));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_traffic_policy_is_pinned_to_a_reserved_domain_read_back_listed_audited_and_cleared(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);
        string id = await ReserveAsync(admin, "pinned");
        const string policy = """
            # the operator's
            on_http_request:
              - name: no-bots
                expressions: ["hasReqHeader('x-bot')"]
                actions:
                  - type: deny
                    config: {status_code: 451}
            """;

        using HttpResponseMessage pinned = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", policy, "application/yaml");
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        JsonElement info = await JsonAsync(pinned);
        Assert.Equal("pinned.tunnel.test", info.GetProperty("hostname").GetString());
        Assert.Equal(policy, info.GetProperty("traffic_policy").GetString());
        Assert.Equal(policy, (await admin.Store.FindReservedDomainAsync("pinned.tunnel.test", Ct))!.TrafficPolicy);
        JsonElement listed = Assert.Single((await GetJsonAsync(admin.Client, "api/v1/reserved_domains")).EnumerateArray());
        Assert.Equal(policy, listed.GetProperty("traffic_policy").GetString());

        using HttpResponseMessage text = await admin.Client.GetAsync($"api/v1/reserved_domains/{id}/traffic_policy", Ct);
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal(policy, await text.Content.ReadAsStringAsync(Ct));

        // JSON is a document too, sent with any content type (curl --data-binary sends a form's).
        const string json = """{"on_http_response": [{"actions": [{"type": "add-headers", "config": {"headers": {"x-edge": "1"}}}]}]}""";
        using (HttpResponseMessage replaced = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", json, "application/x-www-form-urlencoded"))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        Assert.Equal(json, (await admin.Store.GetReservedDomainAsync(id, Ct))!.TrafficPolicy);
        using (HttpResponseMessage untyped = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", policy, null))
        {
            Assert.Equal(HttpStatusCode.OK, untyped.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"api/v1/reserved_domains/{id}/traffic_policy", Ct)).StatusCode);
        Assert.Null((await admin.Store.GetReservedDomainAsync(id, Ct))!.TrafficPolicy);
        Assert.Equal(JsonValueKind.Null, (await GetJsonAsync(admin.Client, "api/v1/reserved_domains"))[0].GetProperty("traffic_policy").ValueKind);
        await AssertErrorAsync(await admin.Client.GetAsync($"api/v1/reserved_domains/{id}/traffic_policy", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        // Clearing again changes nothing and is not an error.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"api/v1/reserved_domains/{id}/traffic_policy", Ct)).StatusCode);

        foreach (Func<Task<HttpResponseMessage>> unknown in new Func<Task<HttpResponseMessage>>[]
        {
            () => PutPolicyAsync(admin.Client, "api/v1/reserved_domains/rd_nope/traffic_policy", policy, "application/yaml"),
            () => admin.Client.GetAsync("api/v1/reserved_domains/rd_nope/traffic_policy", Ct),
            () => admin.Client.DeleteAsync("api/v1/reserved_domains/rd_nope/traffic_policy", Ct),
        })
        {
            await AssertErrorAsync(await unknown(), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        }

        await AssertErrorAsync(await admin.Anonymous.PutAsync($"api/v1/reserved_domains/{id}/traffic_policy", new StringContent(policy), Ct), HttpStatusCode.Unauthorized, "ERR_BURROW_8001");
        JsonElement audit = await GetJsonAsync(admin.Client, "api/v1/audit_events?limit=20");
        string[] kinds = [.. audit.EnumerateArray().Select(e => e.GetProperty("kind").GetString()!)];
        Assert.Equal(3, kinds.Count(k => k == AuditKinds.DomainPolicySet));
        Assert.Equal(1, kinds.Count(k => k == AuditKinds.DomainPolicyCleared));
        JsonElement set = audit.EnumerateArray().First(e => e.GetProperty("kind").GetString() == AuditKinds.DomainPolicySet);
        Assert.Equal("pinned.tunnel.test", set.GetProperty("subject").GetString());
        Assert.Contains((await admin.Store.ListApiKeysAsync(null, Ct))[0].Id, set.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_bad_pinned_document_is_refused_with_2021_naming_line_column_and_key_and_nothing_is_stored(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);
        string id = await ReserveAsync(admin, "strict");
        const string good = "on_http_request:\n  - actions: [{type: deny}]\n";
        using (HttpResponseMessage first = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", good, "application/yaml"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        const string bad = """
            on_http_request:
              - expressions: ["req.method == 'GET'"]
                actions:
                  - type: deny
                    config: {status_code: 99}
              - actions:
                  - type: dney
            """;
        using HttpResponseMessage refused = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", bad, "application/yaml");
        string body = await refused.Content.ReadAsStringAsync(Ct);
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, body);
        JsonElement error = JsonDocument.Parse(body).RootElement;
        Assert.Equal("ERR_BURROW_2021", error.GetProperty("error_code").GetString());
        Assert.Equal(400, error.GetProperty("status_code").GetInt32());
        string msg = error.GetProperty("msg").GetString()!;
        Assert.Contains("line 5, column", msg, StringComparison.Ordinal);
        Assert.Contains("on_http_request[0].actions[0].config.status_code", msg, StringComparison.Ordinal);
        Assert.Contains("and 1 more", msg, StringComparison.Ordinal);
        JsonElement[] errors = [.. error.GetProperty("policy_errors").EnumerateArray()];
        Assert.Equal(2, errors.Length);
        Assert.Equal(5, errors[0].GetProperty("line").GetInt32());
        Assert.True(errors[0].GetProperty("column").GetInt32() > 1);
        Assert.Equal(7, errors[1].GetProperty("line").GetInt32());
        Assert.Equal("on_http_request[1].actions[0].type", errors[1].GetProperty("path").GetString());
        Assert.Contains("dney", errors[1].GetProperty("message").GetString(), StringComparison.Ordinal);
        // Nothing half-applied: the policy pinned before stays, and no change was audited.
        Assert.Equal(good, (await admin.Store.GetReservedDomainAsync(id, Ct))!.TrafficPolicy);
        Assert.Single(await admin.Store.QueryAuditEventsAsync(new AuditQuery { Kind = AuditKinds.DomainPolicySet }, Ct));

        // A JSON document's mistake is named by its key path too; broken YAML by its place.
        using (HttpResponseMessage json = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", """{"on_http_request": [{"actions": [{"type": "redirect", "config": {}}]}]}""", "application/json"))
        {
            JsonElement e = JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("ERR_BURROW_2021", e.GetProperty("error_code").GetString());
            Assert.StartsWith("on_http_request[0].actions[0].config", e.GetProperty("policy_errors")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        }

        using (HttpResponseMessage yaml = await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", "on_http_request:\n  - actions: [\n", "application/yaml"))
        {
            JsonElement e = JsonDocument.Parse(await yaml.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("ERR_BURROW_2021", e.GetProperty("error_code").GetString());
            Assert.Contains("not valid YAML or JSON", e.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }

        await AssertErrorAsync(await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", " \n", "application/yaml"), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await PutPolicyAsync(admin.Client, $"api/v1/reserved_domains/{id}/traffic_policy", "# " + new string('x', 200 * 1024), "application/yaml"), HttpStatusCode.BadRequest, "ERR_BURROW_2021");
        Assert.Equal(good, (await admin.Store.GetReservedDomainAsync(id, Ct))!.TrafficPolicy);

        // A TCP port runs on_tcp_connect only.
        using HttpResponseMessage port = await admin.Client.PostAsJsonAsync("api/v1/reserved_addrs", new { port = 20077 }, Ct);
        string portId = (await JsonAsync(port)).GetProperty("id").GetString()!;
        using (HttpResponseMessage http = await PutPolicyAsync(admin.Client, $"api/v1/reserved_addrs/{portId}/traffic_policy", good, "application/yaml"))
        {
            JsonElement e = JsonDocument.Parse(await http.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("ERR_BURROW_2021", e.GetProperty("error_code").GetString());
            Assert.Contains("a tcp tunnel has only on_tcp_connect", e.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }

        const string tcp = "on_tcp_connect:\n  - actions: [{type: restrict-ips, config: {allow: [127.0.0.0/8]}}]\n";
        using HttpResponseMessage ok = await PutPolicyAsync(admin.Client, $"api/v1/reserved_addrs/{portId}/traffic_policy", tcp, "application/yaml");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(tcp, (await JsonAsync(ok)).GetProperty("traffic_policy").GetString());
        Assert.Equal(tcp, (await admin.Store.FindReservedTcpAddressAsync(20077, Ct))!.TrafficPolicy);
        Assert.Equal(tcp, await admin.Client.GetStringAsync($"api/v1/reserved_addrs/{portId}/traffic_policy", Ct));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"api/v1/reserved_addrs/{portId}/traffic_policy", Ct)).StatusCode);
        Assert.Null((await admin.Store.FindReservedTcpAddressAsync(20077, Ct))!.TrafficPolicy);
        Assert.Single(await admin.Store.QueryAuditEventsAsync(new AuditQuery { Kind = AuditKinds.TcpAddressPolicyCleared }, Ct));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Changes_are_audited_and_the_audit_log_filters_and_pages(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);
        for (int i = 0; i < 3; i++)
        {
            (await admin.Client.PostAsJsonAsync("api/v1/authtokens", new { name = $"t{i}" }, Ct)).Dispose();
        }

        (await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = "audited" }, Ct)).Dispose();
        string keyId = (await admin.Store.ListApiKeysAsync(null, Ct))[0].Id;

        JsonElement created = await GetJsonAsync(admin.Client, "api/v1/audit_events?kind=token.created");
        Assert.All(created.EnumerateArray(), e => Assert.Equal("token.created", e.GetProperty("kind").GetString()));
        // The first start's token, then the three made through the API.
        Assert.Equal(4, created.GetArrayLength());
        JsonElement[] tokens = [.. created.EnumerateArray().Take(3)];
        Assert.All(tokens, e =>
        {
            Assert.Equal("token.created", e.GetProperty("kind").GetString());
            Assert.Contains(keyId, e.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("127.0.0.1", e.GetProperty("address").GetString());
        });
        Assert.Equal(["t2", "t1", "t0"], tokens.Select(e => e.GetProperty("subject").GetString()));

        JsonElement page1 = await GetJsonAsync(admin.Client, "api/v1/audit_events?limit=2");
        long smallest = page1.EnumerateArray().Min(e => e.GetProperty("id").GetInt64());
        JsonElement page2 = await GetJsonAsync(admin.Client, $"api/v1/audit_events?limit=100&before_id={smallest}");
        Assert.Equal(2, page1.GetArrayLength());
        Assert.All(page2.EnumerateArray(), e => Assert.True(e.GetProperty("id").GetInt64() < smallest));
        Assert.Equal(7, page1.GetArrayLength() + page2.GetArrayLength()); // the first start's account, token and API key; 3 tokens; 1 domain

        string future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Equal(0, (await GetJsonAsync(admin.Client, $"api/v1/audit_events?since={future}")).GetArrayLength());
        Assert.Equal(7, (await GetJsonAsync(admin.Client, $"api/v1/audit_events?until={future}&account_id={(await admin.Store.ListAccountsAsync(Ct))[0].Id}")).GetArrayLength());
        await AssertErrorAsync(await admin.Client.GetAsync("api/v1/audit_events?limit=0", Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.GetAsync("api/v1/audit_events?since=yesterday", Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Sessions_and_tunnels_are_listed_and_an_unknown_session_cannot_be_closed(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        Assert.Equal(0, (await GetJsonAsync(admin.Client, "api/v1/sessions")).GetArrayLength());
        Assert.Equal(0, (await GetJsonAsync(admin.Client, "api/v1/tunnels")).GetArrayLength());
        await AssertErrorAsync(await admin.Client.DeleteAsync("api/v1/sessions/ses_nope", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
        await AssertErrorAsync(await admin.Client.GetAsync("api/v1/sessions/ses_nope", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Malformed_requests_and_unknown_routes_get_json_errors(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        using var broken = new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json");
        await AssertErrorAsync(await admin.Client.PostAsync("api/v1/accounts", broken, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        using var wrongType = new StringContent("{\"port\":\"ssh\"}", System.Text.Encoding.UTF8, "application/json");
        await AssertErrorAsync(await admin.Client.PostAsync("api/v1/reserved_addrs", wrongType, Ct), HttpStatusCode.BadRequest, "ERR_BURROW_8004");
        await AssertErrorAsync(await admin.Client.GetAsync("api/v1/no_such_thing", Ct), HttpStatusCode.NotFound, "ERR_BURROW_8002");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_openapi_document_and_the_web_page_are_served_without_a_key(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        JsonElement doc = await GetJsonAsync(admin.Anonymous, "api/v1/openapi.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        string[] paths = [.. doc.GetProperty("paths").EnumerateObject().Select(p => p.Name)];
        foreach (string route in new[] { "/api/v1/accounts", "/api/v1/accounts/{id}", "/api/v1/authtokens", "/api/v1/authtokens/{id}", "/api/v1/reserved_domains", "/api/v1/reserved_domains/{id}", "/api/v1/reserved_domains/{id}/traffic_policy", "/api/v1/reserved_addrs", "/api/v1/reserved_addrs/{id}", "/api/v1/reserved_addrs/{id}/traffic_policy", "/api/v1/sessions", "/api/v1/sessions/{id}", "/api/v1/tunnels", "/api/v1/audit_events" })
        {
            Assert.Contains(route, paths);
        }

        Assert.True(doc.GetProperty("paths").GetProperty("/api/v1/sessions/{id}").TryGetProperty("delete", out _));

        using HttpResponseMessage page = await admin.Anonymous.GetAsync("", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<script src=\"/admin.js\">", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("sessionStorage", await admin.Anonymous.GetStringAsync("admin.js", Ct), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_first_start_api_key_is_kept_owner_only_for_burrow_admin_on_the_same_machine(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, _postgres);

        string file = Path.Combine(admin.DataDirectory, "admin-api-key");
        Assert.Equal(admin.ApiKey, File.ReadAllText(file).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Single(await admin.Store.ListApiKeysAsync(null, Ct));
        Assert.Equal(file, admin.Edge.ApiKeyPath);
    }

    private static async Task<string> ReserveAsync(AdminEdge admin, string label)
    {
        using HttpResponseMessage reserved = await admin.Client.PostAsJsonAsync("api/v1/reserved_domains", new { hostname = label }, Ct);
        Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);
        return (await JsonAsync(reserved)).GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> PutPolicyAsync(HttpClient client, string path, string document, string? mediaType)
    {
        var content = new StringContent(document, System.Text.Encoding.UTF8);
        content.Headers.ContentType = mediaType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return client.PutAsync(path, content, Ct);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using HttpResponseMessage response = await client.GetAsync(path, Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await JsonAsync(response);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
            JsonElement error = JsonDocument.Parse(text).RootElement;
            Assert.Equal(code, error.GetProperty("error_code").GetString());
            Assert.Equal((int)status, error.GetProperty("status_code").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("msg").GetString()));
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
