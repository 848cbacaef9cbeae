using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.EndToEnd.Tests.Store;
using Burrow.Storage;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// The operator's traffic policy pinned to a reserved hostname or port (<c>burrow admin domain policy set</c>, the admin
/// API): run by the real edge before the policy of the real agent that binds the name, swapped into the live tunnel when
/// the operator changes it, and checked with line and column before anything is stored.
/// </summary>
public sealed class PinnedPolicyTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _files.Dispose();

    private string Write(string name, string text)
    {
        string path = Path.Combine(_files.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact(Timeout = 240_000)]
    public async Task The_operators_pinned_rules_run_before_the_agents_both_apply_and_a_change_reaches_the_live_tunnel()
    {
        await using var edge = await EdgeRun.StartAsync(token: null);
        await using var upstream = await Upstream.StartAsync();
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "reserve", "shop")).ExitCode);

        // A bad file is refused by the CLI with the file, line, column and key; nothing is stored.
        string bad = Write("bad.yml", """
            on_http_request:
              - actions:
                  - type: deny
                    config:
                      status_code: nine
            """);
        AdminCli.Result refused = await AdminCli.RunAsync(edge, "domain", "policy", "set", "shop", "--file", bad);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("ERR_BURROW_2021", refused.Output, StringComparison.Ordinal);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(bad)} line 5, column \d+ \(on_http_request\[0\]\.actions\[0\]\.config\.status_code\)", refused.Output);
        AdminCli.Result none = await AdminCli.RunAsync(edge, "domain", "policy", "show", "shop");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("ERR_BURROW_8002", none.Output, StringComparison.Ordinal);

        // And by the admin API itself: 400 with the place, and every mistake listed.
        using var api = new HttpClient { BaseAddress = new Uri(edge.AdminUrl! + "/api/v1/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", edge.ApiKey);
        string id = JsonDocument.Parse(await api.GetStringAsync("reserved_domains", Ct)).RootElement[0].GetProperty("id").GetString()!;
        using (HttpResponseMessage put = await api.PutAsync($"reserved_domains/{id}/traffic_policy", new StringContent(File.ReadAllText(bad)), Ct))
        {
            string body = await put.Content.ReadAsStringAsync(Ct);
            Assert.True(put.StatusCode == HttpStatusCode.BadRequest, body);
            JsonElement error = JsonDocument.Parse(body).RootElement;
            Assert.Equal("ERR_BURROW_2021", error.GetProperty("error_code").GetString());
            Assert.Matches(@"line 5, column \d+ \(on_http_request\[0\]\.actions\[0\]\.config\.status_code\)", error.GetProperty("msg").GetString());
            Assert.Equal(5, error.GetProperty("policy_errors")[0].GetProperty("line").GetInt32());
        }

        // The operator: refuse requests that carry x-block, mark what passes, request and response.
        string operatorPolicy = Write("operator.yml", """
            on_http_request:
              - name: no-blocked
                expressions: ["hasReqHeader('x-block')"]
                actions:
                  - type: deny
                    config: {status_code: 451}
              - actions:
                  - type: add-headers
                    config: {headers: {x-order: operator}}
            on_http_response:
              - actions:
                  - type: add-headers
                    config: {headers: {x-order-res: operator}}
            """);
        AdminCli.Result pinned = await AdminCli.RunAsync(edge, "domain", "policy", "set", "shop.localhost", "--file", operatorPolicy);
        Assert.True(pinned.ExitCode == 0, pinned.Output);
        Assert.Contains("pinned (13 lines)", (await AdminCli.RunAsync(edge, "domain", "list")).Stdout, StringComparison.Ordinal);
        Assert.Contains("name: no-blocked", (await AdminCli.RunAsync(edge, "domain", "policy", "show", "shop")).Stdout, StringComparison.Ordinal);

        // The agent: its own rules answer x-block themselves (had they run first, the client would get 200), and mark too.
        string agentPolicy = Write("agent.yml", """
            on_http_request:
              - expressions: ["hasReqHeader('x-block')"]
                actions:
                  - type: custom-response
                    config: {status_code: 200, body: "the agent let it through"}
              - actions:
                  - type: add-headers
                    config: {headers: {x-order: agent}}
            on_http_response:
              - actions:
                  - type: add-headers
                    config: {headers: {x-order-res: agent}}
            """);
        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([I(upstream.Port), "--url", "shop", "--traffic-policy-file", agentPolicy, .. edge.AgentArgs()], state.Path, timeout: Wait);
        Assert.Equal("shop.localhost", agent.HttpsUrl.Host);
        using HttpClient client = Clients.Create(edge.CaPath);
        var headersUrl = new Uri(agent.HttpsUrl, "/headers");

        using (HttpResponseMessage blocked = await SendAsync(client, headersUrl, block: true))
        {
            Assert.Equal((HttpStatusCode)451, blocked.StatusCode);
            Assert.Equal("ERR_BURROW_3101", blocked.Headers.GetValues("Burrow-Error-Code").Single());
            Assert.Contains("operator:no-blocked", await blocked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (HttpResponseMessage passed = await SendAsync(client, headersUrl, block: false))
        {
            Dictionary<string, string> seen = await Http.ErrorPageTests.ReadHeadersAsync(passed);
            // Two values of one header, in the order the rules ran (joined as the forwarder joins them).
            Assert.Equal("operator, agent", seen["x-order"]);
            Assert.Equal(["operator", "agent"], passed.Headers.GetValues("x-order-res"));
        }

        // A new pinned policy reaches the live tunnel at once: no rebind, the agent's rules still run after it.
        string stricter = Write("stricter.yml", """
            on_http_request:
              - name: private
                expressions: ["req.url.path.startsWith('/private')"]
                actions:
                  - type: deny
            """);
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "domain", "policy", "set", "shop", "--file", stricter)).ExitCode);
        using (HttpResponseMessage denied = await client.GetAsync(new Uri(agent.HttpsUrl, "/private/hello"), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("operator:private", await denied.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using (HttpResponseMessage agentsTurn = await SendAsync(client, headersUrl, block: true))
        {
            Assert.Equal(HttpStatusCode.OK, agentsTurn.StatusCode);
            Assert.Equal("the agent let it through", await agentsTurn.Content.ReadAsStringAsync(Ct));
        }

        // Cleared: only the agent's rules are left.
        AdminCli.Result cleared = await AdminCli.RunAsync(edge, "domain", "policy", "clear", "shop");
        Assert.True(cleared.ExitCode == 0, cleared.Output);
        using (HttpResponseMessage open = await client.GetAsync(new Uri(agent.HttpsUrl, "/private/hello"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, open.StatusCode);
            Assert.False(open.Headers.Contains("Burrow-Error-Code"));
        }

        using (HttpResponseMessage agentOnly = await SendAsync(client, headersUrl, block: false))
        {
            Assert.Equal("agent", (await Http.ErrorPageTests.ReadHeadersAsync(agentOnly))["x-order"]);
        }

        JsonElement audit = (await AdminCli.RunAsync(edge, "audit", "--json")).Json;
        Assert.Equal(2, audit.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == AuditKinds.DomainPolicySet));
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("kind").GetString() == AuditKinds.DomainPolicyCleared && e.GetProperty("subject").GetString() == "shop.localhost");
    }

    [Fact(Timeout = 240_000)]
    public async Task A_pinned_document_that_no_longer_compiles_refuses_the_bind_with_2021_naming_the_operators_policy()
    {
        using var data = new TempDirectory();
        await using var edge = await EdgeRun.StartAsync(data.Path, token: null);
        await using var upstream = await Upstream.StartAsync();
        await using (var store = await StoreKinds.OpenAsync(null, data.Path))
        {
            // As if stored by an older edge whose actions this one no longer reads: written past the admin API's check.
            string accountId = (await store.ListAccountsAsync(Ct))[0].Id;
            ReservedDomain legacy = await store.ReserveDomainAsync(accountId, "legacy.localhost", cancellationToken: Ct);
            await store.SetDomainTrafficPolicyAsync(legacy.Id, "on_http_request:\n  - actions:\n      - type: teleport\n", Ct);
        }

        using var state = new TempDirectory();
        await using var agent = await AgentRun.StartAsync([I(upstream.Port), "--url", "legacy", .. edge.AgentArgs()], state.Path, waitForUrl: false);
        await agent.Process.WaitForLineAsync(
            @"ERR_BURROW_2021: .*line 3, column 15 \(on_http_request\[0\]\.actions\[0\]\.type\) of the policy the edge's operator pinned to legacy\.localhost.*teleport.*only the operator can change it",
            Wait);
        Assert.Equal(1, await agent.Process.WaitForExitAsync(Wait));
        Assert.DoesNotContain("Forwarding", agent.Process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_policy_pinned_to_a_reserved_tcp_port_closes_connections_before_the_agent_sees_them_until_it_is_cleared()
    {
        int port = FreePort.Loopback();
        await using var edge = await EdgeRun.StartAsync(token: null, extra: ["--tcp-ports", $"{I(port)}-{I(port)}"]);
        await using var echo = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "address", "reserve", I(port))).ExitCode);

        AdminCli.Result http = await AdminCli.RunAsync(edge, "address", "policy", "set", I(port), "--file", Write("http.yml", "on_http_request:\n  - actions: [{type: deny}]\n"));
        Assert.Equal(1, http.ExitCode);
        Assert.Contains("a tcp tunnel has only on_tcp_connect", http.Output, StringComparison.Ordinal);
        string deny = Write("deny.yml", "on_tcp_connect:\n  - name: closed\n    actions: [{type: deny}]\n");
        Assert.Equal(0, (await AdminCli.RunAsync(edge, "address", "policy", "set", I(port), "--file", deny)).ExitCode);

        using var state = new TempDirectory();
        await using var agent = await TcpAgentRun.StartAsync([I(echo.Port), "--url", $"tcp://localhost:{I(port)}", .. edge.AgentArgs()], state.Path);
        Assert.Equal(port, agent.Port);
        Assert.Null(await EchoAsync(port));
        Assert.Equal(0, echo.Accepted);

        Assert.Equal(0, (await AdminCli.RunAsync(edge, "address", "policy", "clear", I(port))).ExitCode);
        Assert.Equal("ping", await EchoAsync(port));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Uri url, bool block)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (block)
        {
            request.Headers.Add("x-block", "1");
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>What the echo sends back through the tunnel, or <see langword="null"/> when the edge closed the connection.</summary>
    private static async Task<string?> EchoAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await stream.WriteAsync("ping"u8.ToArray(), timeout.Token);
            byte[] buffer = new byte[4];
            int total = 0;
            while (total < buffer.Length)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token);
                if (read == 0)
                {
                    return null;
                }

                total += read;
            }

            return System.Text.Encoding.ASCII.GetString(buffer);
        }
        catch (IOException)
        {
            // Reset rather than closed: refused all the same.
            return null;
        }
    }
}
