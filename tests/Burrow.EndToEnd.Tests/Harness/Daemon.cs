using System.Diagnostics;
using System.Text;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A server program of the machine's (nginx, sshd) run in the foreground for one test: its stderr kept for
/// diagnostics, waited on until its ports listen, killed with its children on dispose.
/// </summary>
public sealed class Daemon : IAsyncDisposable
{
    private readonly string _name;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private Daemon(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    /// <summary>Starts <paramref name="executable"/> and waits until every one of <paramref name="ports"/> accepts connections.</summary>
    public static async Task<Daemon> StartAsync(string executable, IEnumerable<string> args, params int[] ports)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var daemon = new Daemon(Path.GetFileName(executable), process);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (daemon._stderr)
            {
                daemon._stderr.AppendLine(e.Data);
            }
        };
        // Read stdout too, so a chatty program never blocks on a full pipe.
        process.OutputDataReceived += static (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            foreach (int port in ports)
            {
                await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), daemon.Diagnostics);
            }

            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the program has exited, and what it wrote to stderr: for assertion messages.</summary>
    public string Diagnostics()
    {
        lock (_stderr)
        {
            return $"{_name} exited: {_process.HasExited}; stderr: {_stderr}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Gone already.
        }

        _process.Dispose();
    }
}
