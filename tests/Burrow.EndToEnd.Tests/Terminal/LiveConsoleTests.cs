using System.Globalization;
using System.Text.RegularExpressions;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Terminal;

/// <summary>The live console of the real <c>burrow http</c>, on a real pseudo-terminal (tmux), against a real edge.</summary>
public sealed partial class LiveConsoleTests
{
    [Fact(Timeout = 150_000)]
    public async Task Terminal_shows_status_forwarding_and_counters_and_ctrl_c_restores_it()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string command = AgentCommand(home, edge, ["http", upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()]);
        await using TmuxSession terminal = await TmuxSession.StartAsync(command);

        string screen = await terminal.WaitForAsync(s => Online().IsMatch(s) && Forwarding().IsMatch(s), TimeSpan.FromSeconds(60), "the session online with a Forwarding line");
        Assert.Matches(@"Version\s+\d+\.\d+\.\d+", screen);
        Assert.Matches(@"Edge\s+" + Regex.Escape(edge.AgentAddress), screen);
        Assert.Matches(@"Latency\s+\d+(\.\d)?ms", screen);
        Assert.Matches(@"Web Interface\s+\S", screen);
        Assert.Matches(@"Forwarding\s+https://\S+ -> http://localhost:" + upstream.Port.ToString(CultureInfo.InvariantCulture), screen);
        Assert.Equal("1", await terminal.PaneAsync("alternate_on"));
        Assert.Equal("0", await terminal.PaneAsync("cursor_flag"));
        Assert.Equal(0, Counters(screen).Total);

        var url = new Uri(Forwarding().Match(screen).Groups[1].Value);
        using HttpClient client = Clients.Create(edge.CaPath);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), TestContext.Current.CancellationToken));
        }

        client.Dispose();
        // One client's three keep-alive requests are one connection, closed now; the pooled proxy
        // stream that carried them stays open at the edge and is not what the console counts.
        await terminal.WaitForAsync(s => Counters(s) == (1, 0), TimeSpan.FromSeconds(20), "the console counting one closed client connection");

        await terminal.SendKeysAsync("C-c");
        screen = await terminal.WaitForAsync(s => s.Contains("burrow exited", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "burrow exiting");
        Assert.Contains("burrow exited 0", screen, StringComparison.Ordinal);
        Assert.Contains("burrow: stopped; the tunnels are closed.", screen, StringComparison.Ordinal);
        // Back on the normal screen with the cursor shown: the live screen is gone, not left half-drawn.
        Assert.DoesNotContain("Session Status", screen, StringComparison.Ordinal);
        Assert.Equal("0", await terminal.PaneAsync("alternate_on"));
        Assert.Equal("1", await terminal.PaneAsync("cursor_flag"));
    }

    [Fact(Timeout = 150_000)]
    public async Task Lost_edge_shows_reconnecting_with_the_reason()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string command = AgentCommand(home, edge, ["http", upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()]);
        await using TmuxSession terminal = await TmuxSession.StartAsync(command);
        await terminal.WaitForAsync(s => Online().IsMatch(s), TimeSpan.FromSeconds(60), "the session online");

        edge.Process.Kill();

        string screen = await terminal.WaitForAsync(s => s.Contains("Session Status      reconnecting (", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the session reconnecting with a reason");
        // And the agent's own line about it, which the console shows while the session is not online.
        await terminal.WaitForAsync(s => s.Contains("Reconnecting in ", StringComparison.Ordinal) || s.Contains("Cannot reach the edge", StringComparison.Ordinal) || s.Contains("Lost the connection", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the agent's notice");
        // The reason depends on which end noticed first; each is one the agent gives for a lost edge.
        Assert.True(Regex.IsMatch(screen, @"Session Status\s+reconnecting \((the edge closed the (connection|control stream)|the edge ended the session|cannot reach the edge: .+|no keepalive answer from the edge)\)"), screen);
    }

    [Fact(Timeout = 120_000)]
    public async Task Log_flag_on_a_terminal_prints_log_lines_instead_of_the_console()
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string command = AgentCommand(home, edge, ["http", upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs(), "--log", "stdout", "--log-format", "logfmt"]);
        await using TmuxSession terminal = await TmuxSession.StartAsync(command);

        string screen = await terminal.WaitForAsync(s => s.Contains("Forwarding https://", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "a plain Forwarding line");
        Assert.DoesNotContain("Session Status", screen, StringComparison.Ordinal);
        Assert.Equal("0", await terminal.PaneAsync("alternate_on"));
    }

    /// <summary>The shell line tmux runs: burrow with a clean environment, then its exit status, then a pause that keeps the pane.</summary>
    private static string AgentCommand(TempDirectory home, EdgeRun edge, IEnumerable<string> args)
    {
        string env = string.Join(' ', new[]
        {
            "BURROW_SERVER=", "BURROW_AUTHTOKEN=", "BURROW_CONFIG=", "DOTNET_TieredPGO=0",
            $"XDG_CONFIG_HOME={Quote(Path.Combine(home.Path, "config"))}",
            $"BURROW_STATE_DIR={Quote(Path.Combine(home.Path, "state"))}",
            $"XDG_DATA_HOME={Quote(Path.Combine(home.Path, "data"))}",
        });
        string burrow = string.Join(' ', BurrowProcess.Command.Concat(args).Select(Quote));
        return $"env {env} {burrow}; echo \"burrow exited $?\"; sleep 600";
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static (int Total, int Open) Counters(string screen)
    {
        Match m = CountersRow().Match(screen);
        return m.Success ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) : (-1, -1);
    }

    [GeneratedRegex(@"Session Status\s+online")]
    private static partial Regex Online();

    [GeneratedRegex(@"Forwarding\s+(https://\S+) -> ")]
    private static partial Regex Forwarding();

    [GeneratedRegex(@"Connections\s+ttl\s+opn\s+rt1\s+rt5\s+p50\s+p90\s*\n\s+(\d+)\s+(\d+)\s")]
    private static partial Regex CountersRow();
}
