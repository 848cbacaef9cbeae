using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Metrics;

/// <summary>
/// The edge's and the agent's /metrics after known traffic: read directly, checked by promtool, and scraped by a real
/// Prometheus whose query API must report the same values.
/// </summary>
public sealed class PrometheusMetricsTests
{
    private const string Prometheus = "/usr/bin/prometheus";
    private const string Promtool = "/usr/bin/promtool";
    private const int Answered = 7;
    private const int NotFound = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task Edge_and_agent_count_known_traffic_promtool_accepts_it_and_prometheus_scrapes_it()
    {
        Assert.True(File.Exists(Prometheus) && File.Exists(Promtool), "prometheus is missing: apt-get install prometheus (scripts/install-test-deps.sh)");
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var state = new TempDirectory();
        await using AgentRun agent = await AgentRun.StartAsync([I(upstream.Port), "--web-addr", "127.0.0.1:0", .. edge.AgentArgs()], state.Path);
        Uri agentWeb = await agent.WebUrlAsync();
        string host = agent.HttpsUrl.Host;

        using HttpClient client = Clients.Create(edge.CaPath);
        for (int i = 0; i < Answered; i++)
        {
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(agent.HttpsUrl, "/hello"), Ct));
        }

        for (int i = 0; i < NotFound; i++)
        {
            using HttpResponseMessage missing = await client.GetAsync(new Uri(agent.HttpsUrl, "/no-such-page"), Ct);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // A host no tunnel serves: the edge answers with its own code, and the host it named is not a label anywhere.
        string strayHost = $"stray-{Guid.NewGuid():n}.localhost";
        using (HttpResponseMessage stray = await client.GetAsync(new Uri($"https://{strayHost}:{I(edge.HttpsPort)}/"), Ct))
        {
            Assert.Equal("ERR_BURROW_3001", Assert.Single(stray.Headers.GetValues("Burrow-Error-Code")));
        }

        // An agent with a token the edge does not know is refused.
        await using (var refused = BurrowProcess.Start(["http", I(upstream.Port), "--web-addr", "false", .. edge.AgentArgs("brw_not_a_known_token")]))
        {
            Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        using var admin = new HttpClient { BaseAddress = new Uri(edge.AdminUrl!), Timeout = TimeSpan.FromSeconds(30) };
        using (HttpResponseMessage anonymous = await admin.GetAsync("/metrics", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", edge.ApiKey);
        string edgeText = await admin.GetStringAsync("/metrics", Ct);
        Assert.Equal(Answered, Value(edgeText, "burrow_edge_requests_total", ("tunnel", host), ("status_code", "200")));
        Assert.Equal(NotFound, Value(edgeText, "burrow_edge_requests_total", ("tunnel", host), ("status_code", "404")));
        Assert.Equal(Answered, Value(edgeText, "burrow_edge_request_duration_seconds_count", ("tunnel", host), ("status_code", "200")));
        Assert.Equal(1, Value(edgeText, "burrow_edge_errors_total", ("error_code", "ERR_BURROW_3001")));
        Assert.Equal(1, Value(edgeText, "burrow_edge_auth_failures_total", ("error_code", "ERR_BURROW_1002")));
        Assert.Equal(1, Value(edgeText, "burrow_edge_sessions"));
        Assert.Equal(1, Value(edgeText, "burrow_edge_tunnels", ("proto", "http")));
        Assert.True(Value(edgeText, "burrow_edge_traffic_bytes_total", ("tunnel", host), ("direction", "out")) > Answered * "hello from upstream".Length);
        Assert.True(Value(edgeText, "burrow_edge_certificate_expiry_seconds", ("name", "localhost")) > 86_400);
        Assert.DoesNotContain(strayHost, edgeText, StringComparison.Ordinal);

        using var web = new HttpClient { BaseAddress = agentWeb, Timeout = TimeSpan.FromSeconds(30) };
        string agentText = await web.GetStringAsync("/metrics", Ct);
        Assert.Equal(Answered, Value(agentText, "burrow_agent_requests_total", ("tunnel", "command_line"), ("status_code", "200")));
        Assert.Equal(NotFound, Value(agentText, "burrow_agent_requests_total", ("tunnel", "command_line"), ("status_code", "404")));
        Assert.Equal(1, Value(agentText, "burrow_agent_session_connected"));
        Assert.True(Value(agentText, "burrow_agent_connections_total", ("tunnel", "command_line")) >= 1);

        foreach (string text in new[] { edgeText, agentText })
        {
            (int exit, string stdout, string stderr) = await Tool.RunAsync(Promtool, ["check", "metrics"], stdin: text);
            Assert.True(exit == 0, $"promtool check metrics: {stdout}{stderr}");
        }

        // A real Prometheus scrapes both, the edge with the API key as a bearer token.
        using var prometheusDir = new TempDirectory();
        string keyFile = Path.Combine(prometheusDir.Path, "api-key");
        await File.WriteAllTextAsync(keyFile, edge.ApiKey, Ct);
        var adminUri = new Uri(edge.AdminUrl!);
        string config = Path.Combine(prometheusDir.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: burrow-edge
                authorization:
                  credentials_file: {keyFile}
                static_configs:
                  - targets: ['127.0.0.1:{I(adminUri.Port)}']
              - job_name: burrow-agent
                static_configs:
                  - targets: ['127.0.0.1:{I(agentWeb.Port)}']
            """, Ct);
        int port = FreePort.Loopback();
        await using var prometheus = await Daemon.StartAsync(Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(prometheusDir.Path, "data")}", $"--web.listen-address=127.0.0.1:{I(port)}"], port);
        using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{I(port)}"), Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal(Answered, await QueryUntilAsync(query, $"burrow_edge_requests_total{{tunnel=\"{host}\",status_code=\"200\"}}", Answered));
        Assert.Equal(NotFound, await QueryUntilAsync(query, "burrow_agent_requests_total{tunnel=\"command_line\",status_code=\"404\"}", NotFound));
        Assert.Equal(2, await QueryUntilAsync(query, "count(up == 1)", 2));
        await CheckDashboardAsync(query);
    }

    /// <summary>
    /// Every query of deploy/grafana/burrow.json, its variables filled as Grafana would (all jobs, all tunnels), must
    /// parse in this Prometheus, and every metric it names must be among those the edge and the agent export.
    /// </summary>
    private static async Task CheckDashboardAsync(HttpClient prometheus)
    {
        string dashboardPath = Path.Combine(BurrowProcess.RepositoryRoot(), "deploy", "grafana", "burrow.json");
        using JsonDocument dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(dashboardPath, Ct));
        using JsonDocument names = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/label/__name__/values", Ct));
        var exported = names.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToList();
        Assert.True(queries.Count >= 15, $"only {queries.Count} queries in {dashboardPath}");
        foreach ((string panel, string expr) in queries)
        {
            string promql = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal)
                .Replace("$edge_job", ".*", StringComparison.Ordinal).Replace("$agent_job", ".*", StringComparison.Ordinal).Replace("$tunnel", ".*", StringComparison.Ordinal);
            using HttpResponseMessage answer = await prometheus.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}", Ct);
            string body = await answer.Content.ReadAsStringAsync(Ct);
            Assert.True(answer.IsSuccessStatusCode, $"panel '{panel}': Prometheus refused {promql}: {body}");
            foreach (System.Text.RegularExpressions.Match metric in System.Text.RegularExpressions.Regex.Matches(expr, @"\bburrow_[a-z_]+"))
            {
                Assert.True(exported.Contains(metric.Value), $"panel '{panel}' asks for {metric.Value}, which neither the edge nor the agent exports");
            }
        }
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Value(string text, string metric, params (string Name, string Value)[] labels)
    {
        var matches = text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .ToList();
        Assert.True(matches.Count == 1, $"{matches.Count} samples of {metric} with {string.Join(", ", labels)} in:\n{text}");
        // "name{labels} value [timestamp]": the value follows the closing brace (or the name).
        string rest = matches[0][(matches[0].LastIndexOf('}') is var brace and >= 0 ? brace + 1 : metric.Length)..].Trim();
        return double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Asks Prometheus for <paramref name="promql"/> once a second until it gives <paramref name="expected"/> (or 60 tries).</summary>
    private static async Task<double> QueryUntilAsync(HttpClient prometheus, string promql, double expected)
    {
        double last = double.NaN;
        string body = "";
        for (int attempt = 0; attempt < 60; attempt++)
        {
            using HttpResponseMessage answer = await prometheus.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}", Ct);
            body = await answer.Content.ReadAsStringAsync(Ct);
            if (answer.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // Prometheus answers 503 until its storage is open, a moment after its port is.
                await Task.Delay(TimeSpan.FromSeconds(1), Ct);
                continue;
            }

            answer.EnsureSuccessStatusCode();
            using JsonDocument doc = JsonDocument.Parse(body);
            JsonElement result = doc.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 1)
            {
                last = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                if (last == expected)
                {
                    return last;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        }

        Assert.Fail($"Prometheus never answered {expected} for {promql}; last answer: {body}");
        return last;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
