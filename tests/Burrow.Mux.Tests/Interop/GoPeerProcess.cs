using System.Diagnostics;
using System.Net;
using System.Text;

namespace Burrow.Mux.Tests.Interop;

/// <summary>
/// Runs the Go interop peer (tests/interop/go/yamuxpeer, built on hashicorp/yamux df201c7)
/// as a child process. The binary is built once per test run by tests/interop/go/build.sh.
/// Stdout lines are collected as they arrive (the peer prints one line per event:
/// LISTENING, OK/FAIL phase, RESULT, GOAWAY-SENT, SESSION-END); stderr carries yamux's own log.
/// </summary>
/// <example>
/// <code>
/// await using var server = await GoPeerProcess.StartAsync(["server", "127.0.0.1:0"]);
/// IPEndPoint endPoint = await server.WaitForListeningAsync(TimeSpan.FromSeconds(10));
/// </code>
/// </example>
internal sealed class GoPeerProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "LISTENING ";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);

    // Built once per test run; every caller awaits the same task (and sees the same failure).
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    // Null means stdout ended without a LISTENING line (kept out of the faulted state so that
    // client modes, where nobody waits for it, leave no unobserved exception behind).
    private readonly TaskCompletionSource<IPEndPoint?> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GoPeerProcess(Process process) => _process = process;

    /// <summary>A snapshot of the stdout lines received so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>A snapshot of the stderr text received so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Builds the peer if needed and starts it, e.g. with ["server", "127.0.0.1:0"].</summary>
    /// <param name="args">Command-line arguments, passed without shell quoting.</param>
    /// <param name="environment">Extra environment variables, e.g. YAMUXPEER_GOAWAY_AFTER.</param>
    public static async Task<GoPeerProcess> StartAsync(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        string binary = await Binary.Value;
        var startInfo = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo };
        var peer = new GoPeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => peer.OnStderr(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Waits for the "LISTENING 127.0.0.1:PORT" line of a server mode.</summary>
    public async Task<IPEndPoint> WaitForListeningAsync(TimeSpan timeout)
    {
        IPEndPoint? endPoint;
        try
        {
            endPoint = await _listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"yamuxpeer did not report LISTENING within {timeout}. {Describe()}", ex);
        }

        return endPoint ?? throw new InvalidOperationException(
            $"yamuxpeer closed stdout without reporting LISTENING. {Describe()}");
    }

    /// <summary>
    /// Waits for the process to exit and for its output to be fully read. On timeout the process
    /// tree is killed and a <see cref="TimeoutException"/> carrying the output so far is thrown.
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // Without cancellation this also waits until redirected stdout/stderr reach EOF.
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException ex)
        {
            Kill();
            throw new TimeoutException($"yamuxpeer did not exit within {timeout}. {Describe()}", ex);
        }

        return (_process.ExitCode, string.Join('\n', StdoutLines), Stderr);
    }

    /// <summary>Kills the process tree (if still running) and releases the process.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(DisposeTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Best effort: the kill was sent; don't hang the test run on a zombie.
        }

        _process.Dispose();
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            // EOF on stdout: the process is exiting. Fail a pending WaitForListeningAsync at once.
            _listening.TrySetResult(null);
            return;
        }

        lock (_gate)
        {
            _stdout.Add(line);
        }

        if (line.StartsWith(ListeningPrefix, StringComparison.Ordinal)
            && IPEndPoint.TryParse(line.AsSpan(ListeningPrefix.Length), out IPEndPoint? endPoint))
        {
            _listening.TrySetResult(endPoint);
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.AppendLine(line);
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill, or never started.
        }
    }

    private string Describe() =>
        $"stdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}";

    private static async Task<string> BuildAsync()
    {
        string root = FindRepoRoot();
        // obj/ is git-ignored; build.sh always rebuilds (about a second with Go's cache off).
        string output = Path.Combine(root, "tests", "Burrow.Mux.Tests", "obj", "interop-go", "yamuxpeer");
        var startInfo = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine("tests", "interop", "go", "build.sh"));
        startInfo.ArgumentList.Add(output);

        using var cts = new CancellationTokenSource(BuildTimeout);
        using Process process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("Could not start bash to build the Go yamux peer.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException ex)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tests/interop/go/build.sh did not finish within {BuildTimeout}.", ex);
        }

        string log = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"tests/interop/go/build.sh failed with exit code {process.ExitCode}:\n{log}");
        }

        return output;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No directory containing Burrow.slnx above {AppContext.BaseDirectory}.");
    }
}
