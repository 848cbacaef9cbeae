using System.Diagnostics;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A command running in a real pseudo-terminal: a detached tmux session on a tmux server of its own (its own socket
/// file, so other tmux users on the machine are never touched). The screen is read with <c>capture-pane</c>, keys are
/// typed with <c>send-keys</c>; disposing kills that server and everything in it.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    private const string Target = "main";
    private readonly string _socket = Path.Combine(Path.GetTempPath(), "burrow-e2e-tmux-" + Guid.NewGuid().ToString("n"));

    private TmuxSession()
    {
    }

    public static async Task<TmuxSession> StartAsync(string shellCommand, int width = 120, int height = 40)
    {
        var session = new TmuxSession();
        // -f /dev/null: no user tmux.conf can change the size, the shell or the key bindings.
        await session.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-s", Target, "-x", Num(width), "-y", Num(height), shellCommand);
        return session;
    }

    /// <summary>The visible screen, one line per row.</summary>
    public Task<string> CaptureAsync() => TmuxAsync("capture-pane", "-p", "-t", Target);

    /// <summary>A tmux format variable of the pane, e.g. <c>alternate_on</c> or <c>cursor_flag</c>.</summary>
    public async Task<string> PaneAsync(string variable) => (await TmuxAsync("display-message", "-p", "-t", Target, "#{" + variable + "}")).Trim();

    public Task SendKeysAsync(string keys) => TmuxAsync("send-keys", "-t", Target, keys);

    /// <summary>Polls the screen until <paramref name="done"/> holds; the timeout message shows the last screen.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await CaptureAsync();
            if (done(screen))
            {
                return screen;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The terminal did not show {what} within {timeout.TotalSeconds:0} s. Screen:\n{screen}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // The server already ended with its last session.
        }

        File.Delete(_socket);
    }

    private async Task<string> TmuxAsync(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-S");
        info.ArgumentList.Add(_socket);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    private static string Num(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
