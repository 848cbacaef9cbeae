using System.Text;
using Burrow.Agent;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Burrow.Cli.Screen;

/// <summary>
/// The live status screen: runs the agent and redraws <see cref="ConsoleView"/> about four times a second on the
/// terminal's alternate screen, like top or less, so that on exit (Ctrl+C, or a fatal error) the terminal comes back
/// as it was, with the cursor shown, and only a final line and any errors are left on it.
/// </summary>
internal static class LiveConsole
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    // xterm sequences every terminal emulator and tmux understand: alternate screen on/off, cursor hide/show,
    // cursor home, clear to end of line and to end of screen.
    private const string EnterScreen = "\e[?1049h\e[?25l";
    private const string LeaveScreen = "\e[?25h\e[?1049l";
    private const string Home = "\e[H";
    private const string ClearLine = "\e[K";
    private const string ClearBelow = "\e[J";

    public static async Task<int> RunAsync(AgentRunner runner, IReadOnlyList<(string Label, string Value)> notes, bool webDisabled, NoticeLog notices, CancellationToken cancellationToken)
    {
        var requests = new RecentRequests();
        runner.RequestCompleted += requests.Add;
        TextWriter terminal = Console.Out;
        Task<int> run = runner.RunAsync(cancellationToken);
        // A second Ctrl+C ends the process without unwinding this method: give the terminal back on the way out too.
        EventHandler restore = (_, _) =>
        {
            terminal.Write(LeaveScreen);
            terminal.Flush();
        };
        AppDomain.CurrentDomain.ProcessExit += restore;
        terminal.Write(EnterScreen);
        terminal.Flush();
        try
        {
            while (!run.IsCompleted)
            {
                Draw(terminal, runner, notes, webDisabled, notices, requests);
                await Task.WhenAny(run, Task.Delay(Refresh, CancellationToken.None)).ConfigureAwait(false);
            }
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= restore;
            terminal.Write(LeaveScreen);
            terminal.Flush();
            runner.RequestCompleted -= requests.Add;
        }

        int exit = await run.ConfigureAwait(false);
        terminal.WriteLine(exit == 0 ? "burrow: stopped; the tunnels are closed." : $"burrow: stopped with exit code {exit}.");
        return exit;
    }

    /// <summary>Renders the view as text for a terminal <paramref name="width"/> columns wide; with <paramref name="ansi"/> off, plain text for tests.</summary>
    public static string Render(IRenderable view, int width, bool ansi)
    {
        var text = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ansi ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = width;
        console.Write(view);
        return text.ToString();
    }

    private static void Draw(TextWriter terminal, AgentRunner runner, IReadOnlyList<(string Label, string Value)> notes, bool webDisabled, NoticeLog notices, RecentRequests requests)
    {
        (int width, int height) = Size();
        var status = runner.GetStatus();
        // Lines above the request list: the header, about eight rows of status, the counters; the rest shows requests.
        int fixedRows = 16 + notes.Count + status.Tunnels.Sum(t => Math.Max(1, t.PublicUrls.Count)) + status.Tunnels.Count;
        var extras = new ConsoleView.Extras(runner.WebInterfaceUrl, webDisabled, notes, requests.Newest(Math.Clamp(height - fixedRows, 1, 30)), notices.Last);
        string[] lines = Render(ConsoleView.Build(status, extras), width, ansi: true).Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        var frame = new StringBuilder(Home);
        for (int i = 0; i < lines.Length && i < height; i++)
        {
            frame.Append(lines[i]).Append(ClearLine);
            // No newline after the last row of the terminal: it would scroll the screen by one.
            if (i < Math.Min(lines.Length, height) - 1)
            {
                frame.Append('\n');
            }
        }

        frame.Append(ClearBelow);
        terminal.Write(frame.ToString());
        terminal.Flush();
    }

    private static (int Width, int Height) Size()
    {
        try
        {
            return (Math.Max(40, Console.WindowWidth), Math.Max(10, Console.WindowHeight));
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }
}
