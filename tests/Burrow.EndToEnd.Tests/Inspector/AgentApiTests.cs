using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Inspector;

/// <summary>The agent API on the real agent: every endpoint with ngrok's field names, errors with codes, and replay reaching the upstream.</summary>
public sealed class AgentApiTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Tunnels_list_has_ngroks_fields_and_the_public_url()
    {
        using JsonDocument doc = await GetJsonAsync("/api/tunnels");
        JsonElement root = doc.RootElement;
        Assert.Equal("/api/tunnels", root.GetProperty("uri").GetString());
        JsonElement tunnel = root.GetProperty("tunnels")[0];
        Assert.Equal("command_line", tunnel.GetProperty("name").GetString());
        Assert.Equal("/api/tunnels/command_line", tunnel.GetProperty("uri").GetString());
        Assert.Equal(fixture.Agent.HttpsUrl.ToString().TrimEnd('/'), tunnel.GetProperty("public_url").GetString());
        Assert.Equal("https", tunnel.GetProperty("proto").GetString());
        Assert.Equal($"http://localhost:{I(fixture.Upstream.Port)}", tunnel.GetProperty("config").GetProperty("addr").GetString());
        Assert.True(tunnel.GetProperty("config").GetProperty("inspect").GetBoolean());
        JsonElement metrics = tunnel.GetProperty("metrics");
        foreach (string field in new[] { "count", "gauge", "rate1", "rate5", "rate15", "p50", "p90", "p95", "p99" })
        {
            Assert.Equal(JsonValueKind.Number, metrics.GetProperty("conns").GetProperty(field).ValueKind);
        }

        foreach (string field in new[] { "count", "rate1", "rate5", "rate15", "p50", "p90", "p95", "p99" })
        {
            Assert.Equal(JsonValueKind.Number, metrics.GetProperty("http").GetProperty(field).ValueKind);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Curl_and_jq_read_the_public_url_as_with_ngrok()
    {
        var info = new System.Diagnostics.ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", $"curl -s {fixture.WebUrl}api/tunnels | jq -r '.tunnels[0].public_url'" },
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        string output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(fixture.Agent.HttpsUrl.ToString().TrimEnd('/'), output.Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task Tunnel_by_name_and_unknown_name_is_a_404_with_ngroks_error_shape()
    {
        using (JsonDocument doc = await GetJsonAsync("/api/tunnels/command_line"))
        {
            Assert.Equal("command_line", doc.RootElement.GetProperty("name").GetString());
        }

        using HttpResponseMessage missing = await fixture.Web.GetAsync("/api/tunnels/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertError(await ReadJsonAsync(missing), 6002, 404);
    }

    [Fact(Timeout = 60_000)]
    public async Task Captured_request_has_ngroks_fields_request_and_response()
    {
        using var content = new StringContent("{\"order\":42,\"items\":[\"a\",\"b\"]}", Encoding.UTF8, "application/json");
        using HttpResponseMessage sent = await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/record/fields?x=1"), content, Ct);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        JsonElement c = await WaitForCaptureAsync("/record/fields?x=1");
        string id = c.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.Equal("/api/requests/http/" + id, c.GetProperty("uri").GetString());
        Assert.Equal("command_line", c.GetProperty("tunnel_name").GetString());
        Assert.Equal("127.0.0.1", c.GetProperty("remote_addr").GetString());
        Assert.True(DateTimeOffset.TryParse(c.GetProperty("start").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.True(c.GetProperty("duration").GetInt64() > 0);

        JsonElement request = c.GetProperty("request");
        Assert.Equal("POST", request.GetProperty("method").GetString());
        Assert.Equal("HTTP/1.1", request.GetProperty("proto").GetString());
        Assert.Equal("/record/fields?x=1", request.GetProperty("uri").GetString());
        Assert.Equal("application/json; charset=utf-8", request.GetProperty("headers").GetProperty("Content-Type")[0].GetString());
        string raw = Encoding.UTF8.GetString(Convert.FromBase64String(request.GetProperty("raw").GetString()!));
        Assert.StartsWith("POST /record/fields?x=1 HTTP/1.1\r\n", raw, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"order\":42,\"items\":[\"a\",\"b\"]}", raw, StringComparison.Ordinal);

        JsonElement response = c.GetProperty("response");
        Assert.Equal("200 OK", response.GetProperty("status").GetString());
        Assert.Equal(200, response.GetProperty("status_code").GetInt32());
        Assert.Equal("HTTP/1.1", response.GetProperty("proto").GetString());
        Assert.StartsWith("application/json", response.GetProperty("headers").GetProperty("Content-Type")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("\"received\":", Encoding.UTF8.GetString(Convert.FromBase64String(response.GetProperty("raw").GetString()!)), StringComparison.Ordinal);

        using JsonDocument one = await GetJsonAsync("/api/requests/http/" + id);
        Assert.Equal(id, one.RootElement.GetProperty("id").GetString());
        Assert.Equal(request.GetProperty("raw").GetString(), one.RootElement.GetProperty("request").GetProperty("raw").GetString());

        using HttpResponseMessage missing = await fixture.Web.GetAsync("/api/requests/http/0000000000000000", Ct);
        AssertError(await ReadJsonAsync(missing), 6002, 404);
    }

    [Fact(Timeout = 60_000)]
    public async Task Requests_list_honours_limit_and_tunnel_name_and_refuses_a_bad_limit()
    {
        for (int i = 0; i < 3; i++)
        {
            (await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, $"/record/limit-{I(i)}"), Ct)).Dispose();
        }

        await WaitForCaptureAsync("/record/limit-2");
        using (JsonDocument doc = await GetJsonAsync("/api/requests/http?limit=2&tunnel_name=command_line"))
        {
            Assert.Equal("/api/requests/http", doc.RootElement.GetProperty("uri").GetString());
            JsonElement requests = doc.RootElement.GetProperty("requests");
            Assert.Equal(2, requests.GetArrayLength());
            // Newest first.
            Assert.Equal("/record/limit-2", requests[0].GetProperty("request").GetProperty("uri").GetString());
        }

        using (JsonDocument other = await GetJsonAsync("/api/requests/http?tunnel_name=no-such-tunnel"))
        {
            Assert.Equal(0, other.RootElement.GetProperty("requests").GetArrayLength());
        }

        using HttpResponseMessage bad = await fixture.Web.GetAsync("/api/requests/http?limit=lots", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        AssertError(await ReadJsonAsync(bad), 6003, 400);
    }

    [Fact(Timeout = 60_000)]
    public async Task Replay_as_is_and_edited_reaches_the_upstream_and_is_a_new_entry()
    {
        using var content = new StringContent("{\"v\":1}", Encoding.UTF8, "application/json");
        (await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/record/replay-me"), content, Ct)).Dispose();
        string id = (await WaitForCaptureAsync("/record/replay-me")).GetProperty("id").GetString()!;
        int before = fixture.Upstream.Recorded.Count;

        using HttpResponseMessage asIs = await PostJsonAsync("/api/requests/http", $"{{\"id\":\"{id}\",\"tunnel_name\":\"command_line\"}}");
        Assert.Equal(HttpStatusCode.NoContent, asIs.StatusCode);
        string replayId = asIs.Headers.GetValues("X-Burrow-Request-Id").Single();
        Assert.Equal(before + 1, fixture.Upstream.Recorded.Count);
        Assert.Equal("POST /record/replay-me {\"v\":1}", fixture.Upstream.Recorded.Last());
        using (JsonDocument replay = await GetJsonAsync("/api/requests/http/" + replayId))
        {
            Assert.True(replay.RootElement.GetProperty("replay").GetBoolean());
            Assert.Equal(id, replay.RootElement.GetProperty("replay_of").GetString());
            Assert.Equal(200, replay.RootElement.GetProperty("response").GetProperty("status_code").GetInt32());
        }

        using HttpResponseMessage edited = await PostJsonAsync("/api/requests/http",
            $"{{\"id\":\"{id}\",\"method\":\"PUT\",\"uri\":\"/record/edited?z=9\",\"headers\":{{\"Content-Type\":[\"application/json\"],\"X-Edit\":[\"yes\"]}},\"body\":\"{{\\\"v\\\":2}}\"}}");
        Assert.Equal(HttpStatusCode.NoContent, edited.StatusCode);
        Assert.Equal("PUT /record/edited?z=9 {\"v\":2}", fixture.Upstream.Recorded.Last());
        JsonElement newest = await WaitForCaptureAsync("/record/edited?z=9");
        Assert.True(newest.GetProperty("replay").GetBoolean());
        Assert.Equal("PUT", newest.GetProperty("request").GetProperty("method").GetString());

        using HttpResponseMessage unknown = await PostJsonAsync("/api/requests/http", "{\"id\":\"ffffffffffffffff\"}");
        AssertError(await ReadJsonAsync(unknown), 6002, 404);
        using HttpResponseMessage noId = await PostJsonAsync("/api/requests/http", "{\"tunnel_name\":\"command_line\"}");
        AssertError(await ReadJsonAsync(noId), 6003, 400);
        using HttpResponseMessage notJson = await PostJsonAsync("/api/requests/http", "id=1");
        AssertError(await ReadJsonAsync(notJson), 6003, 400);
    }

    [Fact(Timeout = 60_000)]
    public async Task Readable_body_and_har_export_of_a_capture()
    {
        using var content = new StringContent("{\"har\":[1,2]}", Encoding.UTF8, "application/json");
        (await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/record/har-me?q=1"), content, Ct)).Dispose();
        string id = (await WaitForCaptureAsync("/record/har-me?q=1")).GetProperty("id").GetString()!;

        using (JsonDocument body = await GetJsonAsync($"/inspect/body/{id}/request"))
        {
            Assert.Equal("json", body.RootElement.GetProperty("kind").GetString());
            Assert.Equal("{\n  \"har\": [\n    1,\n    2\n  ]\n}", body.RootElement.GetProperty("text").GetString());
        }

        using JsonDocument har = await GetJsonAsync($"/inspect/har?id={id}");
        JsonElement log = har.RootElement.GetProperty("log");
        Assert.Equal("1.2", log.GetProperty("version").GetString());
        JsonElement entry = log.GetProperty("entries")[0];
        Assert.Equal(new Uri(fixture.Agent.HttpsUrl, "/record/har-me?q=1").ToString(), entry.GetProperty("request").GetProperty("url").GetString());
        Assert.Equal("{\"har\":[1,2]}", entry.GetProperty("request").GetProperty("postData").GetProperty("text").GetString());
        Assert.Equal(200, entry.GetProperty("response").GetProperty("status").GetInt32());
    }

    [Fact(Timeout = 60_000)]
    public async Task Delete_requests_empties_the_list()
    {
        (await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, "/record/to-clear"), Ct)).Dispose();
        await WaitForCaptureAsync("/record/to-clear");

        using HttpResponseMessage deleted = await fixture.Web.DeleteAsync("/api/requests/http", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using JsonDocument doc = await GetJsonAsync("/api/requests/http");
        Assert.Equal(0, doc.RootElement.GetProperty("requests").GetArrayLength());
    }

    [Fact(Timeout = 90_000)]
    public async Task Post_tunnels_starts_a_tunnel_on_the_live_session_and_delete_stops_it()
    {
        using HttpResponseMessage created = await PostJsonAsync("/api/tunnels", $"{{\"name\":\"api-made\",\"proto\":\"http\",\"addr\":\"{I(fixture.Upstream.Port)}\"}}");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using JsonDocument tunnel = await ReadJsonAsync(created);
        Assert.Equal("api-made", tunnel.RootElement.GetProperty("name").GetString());
        var publicUrl = new Uri(tunnel.RootElement.GetProperty("public_url").GetString()!);
        Assert.Equal("https", publicUrl.Scheme);

        Assert.Equal("hello from upstream", await fixture.Client.GetStringAsync(new Uri(publicUrl, "/hello"), Ct));
        using (JsonDocument list = await GetJsonAsync("/api/tunnels"))
        {
            Assert.Contains(list.RootElement.GetProperty("tunnels").EnumerateArray(), t => t.GetProperty("name").GetString() == "api-made");
        }

        using HttpResponseMessage again = await PostJsonAsync("/api/tunnels", $"{{\"name\":\"api-made\",\"addr\":\"{I(fixture.Upstream.Port)}\"}}");
        AssertError(await ReadJsonAsync(again), 6008, 409);
        using HttpResponseMessage noAddr = await PostJsonAsync("/api/tunnels", "{\"name\":\"x\"}");
        AssertError(await ReadJsonAsync(noAddr), 6003, 400);

        using HttpResponseMessage deleted = await fixture.Web.DeleteAsync("/api/tunnels/api-made", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using HttpResponseMessage gone = await fixture.Web.GetAsync("/api/tunnels/api-made", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using HttpResponseMessage deletedAgain = await fixture.Web.DeleteAsync("/api/tunnels/api-made", Ct);
        AssertError(await ReadJsonAsync(deletedAgain), 6002, 404);

        // The edge no longer routes the name.
        using HttpResponseMessage after = await WaitAsync(async () =>
        {
            HttpResponseMessage r = await fixture.Client.GetAsync(new Uri(publicUrl, "/hello"), Ct);
            return r.StatusCode == HttpStatusCode.NotFound ? r : null;
        });
        Assert.Equal("ERR_BURROW_3001", after.Headers.GetValues("Burrow-Error-Code").Single());
    }

    [Fact(Timeout = 60_000)]
    public async Task Status_says_online_with_version_and_latency()
    {
        using JsonDocument doc = await GetJsonAsync("/api/status");
        Assert.Equal("online", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("0.1.0", doc.RootElement.GetProperty("agent_version").GetString());
        Assert.Matches(@"^\d+ms$", doc.RootElement.GetProperty("session").GetProperty("legs")[0].GetProperty("latency").GetString());
        Assert.Equal("/api/status", doc.RootElement.GetProperty("uri").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Foreign_host_is_refused_with_6001()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tunnels");
        request.Headers.Host = "attacker.example";
        using HttpResponseMessage refused = await fixture.Web.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        AssertError(await ReadJsonAsync(refused), 6001, 403);

        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/tunnels");
        local.Headers.Host = "localhost:" + I(fixture.WebUrl.Port);
        using HttpResponseMessage allowed = await fixture.Web.SendAsync(local, Ct);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task Logfmt_prints_the_lines_wrappers_scrape()
    {
        await using AgentRun agent = await fixture.StartAgentAsync([I(fixture.Upstream.Port), "--log", "stdout", "--log-format", "logfmt"]);
        var web = await agent.Process.WaitForLineAsync(@"msg=""starting web service"".* addr=(\S+)");
        Assert.Equal((await agent.WebUrlAsync()).Authority, web.Groups[1].Value);
        var started = await agent.Process.WaitForLineAsync(@"msg=""started tunnel"".* url=(\S+)");
        Assert.Equal(agent.HttpsUrl.ToString().TrimEnd('/'), started.Groups[1].Value);
    }

    [Fact(Timeout = 90_000)]
    public async Task Taken_web_port_moves_to_the_next_free_one()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        await using AgentRun agent = await fixture.StartAgentAsync([I(fixture.Upstream.Port), "--web-addr", $"127.0.0.1:{I(taken)}"]);
        Uri web = await agent.WebUrlAsync();
        Assert.True(web.Port > taken && web.Port < taken + 50, $"web interface on {web.Port}, squatted {taken}");
    }

    [Fact(Timeout = 90_000)]
    public async Task Inspect_false_forwards_without_capturing()
    {
        await using AgentRun agent = await fixture.StartAgentAsync([I(fixture.Upstream.Port), "--inspect=false"]);
        using var web = new HttpClient { BaseAddress = await agent.WebUrlAsync() };
        Assert.Equal("hello from upstream", await fixture.Client.GetStringAsync(new Uri(agent.HttpsUrl, "/hello"), Ct));
        using JsonDocument tunnels = JsonDocument.Parse(await web.GetStringAsync("/api/tunnels", Ct));
        Assert.False(tunnels.RootElement.GetProperty("tunnels")[0].GetProperty("config").GetProperty("inspect").GetBoolean());
        using JsonDocument requests = JsonDocument.Parse(await web.GetStringAsync("/api/requests/http", Ct));
        Assert.Equal(0, requests.RootElement.GetProperty("requests").GetArrayLength());
    }

    [Fact(Timeout = 90_000)]
    public async Task Body_over_the_limit_is_cut_marked_and_not_replayed_as_is()
    {
        await using AgentRun agent = await fixture.StartAgentAsync([I(fixture.Upstream.Port), "--inspect-body-limit", "1KB"]);
        using var web = new HttpClient { BaseAddress = await agent.WebUrlAsync() };
        string big = new('x', 10_000);
        using var content = new StringContent(big, Encoding.UTF8, "text/plain");
        using HttpResponseMessage sent = await fixture.Client.PostAsync(new Uri(agent.HttpsUrl, "/echo-hash"), content, Ct);
        Assert.StartsWith("10000 ", await sent.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        JsonElement c = await WaitForValueAsync(async () =>
        {
            JsonDocument doc = JsonDocument.Parse(await web.GetStringAsync("/api/requests/http", Ct));
            return doc.RootElement.GetProperty("requests").GetArrayLength() > 0 ? (JsonElement?)doc.RootElement.GetProperty("requests")[0].Clone() : null;
        });
        Assert.Equal(10_000, c.GetProperty("request").GetProperty("body_size").GetInt64());
        Assert.True(c.GetProperty("request").GetProperty("body_truncated").GetBoolean());
        string raw = Encoding.UTF8.GetString(Convert.FromBase64String(c.GetProperty("request").GetProperty("raw").GetString()!));
        Assert.Equal(1024, raw.Length - raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4);

        using var replay = new StringContent($"{{\"id\":\"{c.GetProperty("id").GetString()}\"}}", Encoding.UTF8, "application/json");
        using HttpResponseMessage refused = await web.PostAsync("/api/requests/http", replay, Ct);
        AssertError(await ReadJsonAsync(refused), 6004, 409);
    }

    [Fact(Timeout = 90_000)]
    public async Task Inspect_db_size_sets_the_budget_a_flag_overrides_it_and_minus_one_turns_inspection_off()
    {
        using var dir = new TempDirectory();
        string sized = Path.Combine(dir.Path, "sized.yml");
        string off = Path.Combine(dir.Path, "off.yml");
        await File.WriteAllTextAsync(sized, "version: 2\ninspect_db_size: 2097152\n", Ct);
        await File.WriteAllTextAsync(off, "version: 2\ninspect_db_size: -1\n", Ct);

        Assert.Equal(2_097_152, await BudgetAsync([I(fixture.Upstream.Port), "--config", sized]));
        Assert.Equal(3 * 1024 * 1024, await BudgetAsync([I(fixture.Upstream.Port), "--config", sized, "--inspect-budget", "3MB"]));
        Assert.Equal(20 * 1024 * 1024, await BudgetAsync([I(fixture.Upstream.Port)]));

        await using AgentRun agent = await fixture.StartAgentAsync([I(fixture.Upstream.Port), "--config", off]);
        using var web = new HttpClient { BaseAddress = await agent.WebUrlAsync() };
        Assert.Equal("hello from upstream", await fixture.Client.GetStringAsync(new Uri(agent.HttpsUrl, "/hello"), Ct));
        using JsonDocument tunnels = JsonDocument.Parse(await web.GetStringAsync("/api/tunnels", Ct));
        Assert.False(tunnels.RootElement.GetProperty("tunnels")[0].GetProperty("config").GetProperty("inspect").GetBoolean());
        using JsonDocument requests = JsonDocument.Parse(await web.GetStringAsync("/api/requests/http", Ct));
        Assert.Equal(0, requests.RootElement.GetProperty("requests").GetArrayLength());

        async Task<long> BudgetAsync(string[] args)
        {
            await using AgentRun run = await fixture.StartAgentAsync(args);
            using var client = new HttpClient { BaseAddress = await run.WebUrlAsync() };
            using JsonDocument status = JsonDocument.Parse(await client.GetStringAsync("/api/status", Ct));
            return status.RootElement.GetProperty("inspector").GetProperty("budget").GetInt64();
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AssertError(JsonDocument doc, int code, int status)
    {
        using (doc)
        {
            Assert.Equal(code, doc.RootElement.GetProperty("error_code").GetInt32());
            Assert.Equal(status, doc.RootElement.GetProperty("status_code").GetInt32());
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("msg").GetString()));
            Assert.StartsWith($"ERR_BURROW_{I(code)}: ", doc.RootElement.GetProperty("details").GetProperty("err").GetString(), StringComparison.Ordinal);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using HttpResponseMessage response = await fixture.Web.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        fixture.Web.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    /// <summary>The capture of the newest request to <paramref name="uri"/>; captures land just after the response, so this waits a little.</summary>
    private Task<JsonElement> WaitForCaptureAsync(string uri) => WaitForValueAsync<JsonElement>(async () =>
    {
        using JsonDocument doc = await GetJsonAsync("/api/requests/http?limit=1000");
        foreach (JsonElement c in doc.RootElement.GetProperty("requests").EnumerateArray())
        {
            if (c.GetProperty("request").GetProperty("uri").GetString() == uri)
            {
                return c.Clone();
            }
        }

        return null;
    });

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        for (int i = 0; i < 100; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("the condition did not come true within 10 s");
    }

    private static async Task<T> WaitForValueAsync<T>(Func<Task<T?>> probe)
        where T : struct
    {
        for (int i = 0; i < 100; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("the condition did not come true within 10 s");
    }
}
