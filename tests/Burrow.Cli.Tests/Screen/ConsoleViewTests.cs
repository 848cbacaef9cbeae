using Burrow.Agent;
using Burrow.Agent.Metrics;
using Burrow.Agent.Status;
using Burrow.Cli.Screen;

namespace Burrow.Cli.Tests.Screen;

public sealed class ConsoleViewTests
{
    private static readonly MetricsSnapshot Conns = new(42, 3, 0.25, 0.1, 0.05, TimeSpan.FromMilliseconds(12), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));

    [Fact]
    public void Online_screen_shows_session_version_edge_latency_web_forwarding_and_counters()
    {
        var status = new AgentStatus(SessionStatus.Online, null, "0.1.0", "edge.example.com:4443", "ses_1", TimeSpan.FromMilliseconds(23),
            [new TunnelStatus("web", "http", ["https://demo.example.com", "http://demo.example.com"], "http://localhost:8080", true, Conns, default)]);

        string text = Render(status, new ConsoleView.Extras("http://127.0.0.1:4040", false, [], [], null));

        Assert.Matches(@"Session Status\s+online", text);
        Assert.Matches(@"Version\s+0\.1\.0", text);
        Assert.Matches(@"Edge\s+edge\.example\.com:4443", text);
        Assert.Matches(@"Latency\s+23ms", text);
        Assert.Matches(@"Web Interface\s+http://127\.0\.0\.1:4040", text);
        Assert.Matches(@"Forwarding\s+https://demo\.example\.com -> http://localhost:8080", text);
        Assert.Matches(@"Forwarding\s+http://demo\.example\.com -> http://localhost:8080", text);
        Assert.Matches(@"Connections\s+ttl\s+opn\s+rt1\s+rt5\s+p50\s+p90", text);
        Assert.Matches(@"\n\s+42\s+3\s+0\.25\s+0\.10\s+12ms\s+1\.50s", text);
        Assert.Contains("(none yet)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconnecting_screen_says_why_and_shows_the_last_notice()
    {
        var status = new AgentStatus(SessionStatus.Reconnecting, "no keepalive answer from the edge", "0.1.0", "edge:4443", null, null, []);

        string text = Render(status, new ConsoleView.Extras(null, true, [("Local Edge CA", "/tmp/ca.pem")], [], "Reconnecting in 2.0 s (attempt 3)..."));

        Assert.Matches(@"Session Status\s+reconnecting \(no keepalive answer from the edge\)", text);
        Assert.Matches(@"Latency\s+-", text);
        Assert.Matches(@"Web Interface\s+disabled", text);
        Assert.Matches(@"Local Edge CA\s+/tmp/ca\.pem", text);
        Assert.Contains("no tunnels", text, StringComparison.Ordinal);
        Assert.Contains("Reconnecting in 2.0 s (attempt 3)...", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_legs_show_a_legs_line_with_each_nodes_latency_or_state()
    {
        var status = new AgentStatus(SessionStatus.Online, null, "0.1.0", "edge-a.example.com:4443", "ses_1", TimeSpan.FromMilliseconds(3), [])
        {
            Legs =
            [
                new LegStatus(0, "edge-a", "edge-a.example.com:4443", SessionStatus.Online, TimeSpan.FromMilliseconds(3), null),
                new LegStatus(1, "edge-b", "edge-b.example.com:4443", SessionStatus.Reconnecting, null, "the node closed the connection"),
            ],
        };

        string text = Render(status, new ConsoleView.Extras(null, false, [], [], null));

        Assert.Matches(@"Legs\s+1/2 online: edge-a 3\.0ms, edge-b \(reconnecting\)", text);
    }

    [Fact]
    public void One_leg_shows_no_legs_line()
    {
        var status = new AgentStatus(SessionStatus.Online, null, "0.1.0", "edge:4443", null, null, [])
        {
            Legs = [new LegStatus(0, null, "edge:4443", SessionStatus.Online, TimeSpan.FromMilliseconds(3), null)],
        };

        Assert.DoesNotContain("Legs", Render(status, new ConsoleView.Extras(null, false, [], [], null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_reported_by_the_agent_show_newest_first_with_status()
    {
        var runner = new AgentRunner(new AgentOptions { ServerAddress = "127.0.0.1:1" });
        var recent = new RecentRequests(capacity: 2);
        runner.RequestCompleted += recent.Add;
        DateTimeOffset now = DateTimeOffset.UtcNow;

        runner.ReportRequest("web", new CompletedRequest("web", "GET", "/first", 200, now, TimeSpan.FromMilliseconds(5), false));
        runner.ReportRequest("web", new CompletedRequest("web", "POST", "/hooks/github", 502, now, TimeSpan.FromMilliseconds(40), false));
        runner.ReportRequest("web", new CompletedRequest("web", "PUT", "/again", 404, now, TimeSpan.FromSeconds(2), true));

        IReadOnlyList<CompletedRequest> shown = recent.Newest(10);
        Assert.Equal(["/again", "/hooks/github"], shown.Select(r => r.Path));
        string text = Render(runner.GetStatus(), new ConsoleView.Extras(null, false, [], shown, null));
        Assert.Matches(@"PUT /again\s+404 Not Found\s+2\.00s\s+\(replay\)", text);
        Assert.Matches(@"POST /hooks/github\s+502 Bad Gateway\s+40ms", text);
        Assert.True(text.IndexOf("/again", StringComparison.Ordinal) < text.IndexOf("/hooks/github", StringComparison.Ordinal));
        Assert.DoesNotContain("/first", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ansi_rendering_colours_the_status()
    {
        var status = new AgentStatus(SessionStatus.Online, null, "0.1.0", "edge:4443", null, null, []);

        string ansi = LiveConsole.Render(ConsoleView.Build(status, new ConsoleView.Extras(null, false, [], [], null)), 100, ansi: true);

        Assert.Contains("\e[", ansi, StringComparison.Ordinal);
        Assert.Contains("online", ansi, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.4, "0.4ms")]
    [InlineData(12.3, "12ms")]
    [InlineData(1530, "1.53s")]
    [InlineData(125_000, "2m05s")]
    public void Durations_read_at_a_glance(double milliseconds, string shown)
    {
        Assert.Equal(shown, ConsoleView.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    private static string Render(AgentStatus status, ConsoleView.Extras extras) =>
        LiveConsole.Render(ConsoleView.Build(status, extras), 120, ansi: false);
}
