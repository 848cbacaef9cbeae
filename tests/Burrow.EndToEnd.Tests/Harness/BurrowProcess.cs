using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>One run of the real <c>burrow</c> executable, with its output captured line by line. Disposing kills it.</summary>
public sealed class BurrowProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _newLine = new(0);
    private int _closedStreams;

    private BurrowProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static string ExecutablePath { get; } = FindExecutable();

    /// <summary>
    /// The command that runs burrow: <c>dotnet burrow.dll</c> (the Release or Debug build), or, with
    /// BURROW_E2E_BINARY set, that executable itself (e.g. the Native AOT one, scripts/publish-aot.sh).
    /// </summary>
    public static IReadOnlyList<string> Command { get; } =
        Environment.GetEnvironmentVariable("BURROW_E2E_BINARY") is { Length: > 0 } binary
            ? [System.IO.Path.GetFullPath(binary)]
            : ["dotnet", ExecutablePath];

    /// <summary>An XDG_CONFIG_HOME with nothing in it (the folder is never created).</summary>
    public static string NoConfigHome { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-e2e-no-config-" + Guid.NewGuid().ToString("n"));

    /// <summary>Runs <c>burrow</c> to completion (a short command such as <c>config check</c>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using BurrowProcess run = Start(arguments, environment);
        int exit = await run.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        // Output events may trail the exit by a moment; the null line at the end of each stream says both are done.
        for (int i = 0; i < 50 && run._closedStreams < 2; i++)
        {
            await Task.Delay(20);
        }

        return (exit, run.Output);
    }

    public static BurrowProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var burrow = new Dictionary<string, string>
        {
            ["DOTNET_TieredPGO"] = "0",
            ["BURROW_SERVER"] = "",
            ["BURROW_AUTHTOKEN"] = "",
            // No config file of the machine's user may leak into a test: unless a test gives its own, there is none.
            ["BURROW_CONFIG"] = "",
            ["XDG_CONFIG_HOME"] = NoConfigHome,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            burrow[key] = value;
        }

        return StartProgram(Command[0], Command.Skip(1).Concat(arguments), burrow);
    }

    /// <summary>Runs another program the same way (output captured line by line, killed on dispose): ngrok's agent, say.</summary>
    public static BurrowProcess StartProgram(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var run = new BurrowProcess(process);
        process.OutputDataReceived += (_, e) => run.Add(e.Data);
        process.ErrorDataReceived += (_, e) => run.Add(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/> and returns its match.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan? timeout = null, int skip = 0)
    {
        var regex = new Regex(pattern);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            lock (_lock)
            {
                int seen = 0;
                foreach (string line in _lines)
                {
                    Match m = regex.Match(line);
                    if (m.Success && seen++ >= skip)
                    {
                        return m;
                    }
                }
            }

            if (_process.HasExited && _newLine.CurrentCount == 0)
            {
                await Task.Delay(100);
                lock (_lock)
                {
                    if (!_lines.Any(regex.IsMatch))
                    {
                        throw new InvalidOperationException($"burrow exited ({_process.ExitCode}) before printing /{pattern}/. Output:\n{Output}");
                    }
                }
            }

            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No line matching /{pattern}/ within the timeout. Output:\n{Output}");
            }
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (a graceful stop).</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            Interlocked.Increment(ref _closedStreams);
            _newLine.Release();
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
        }

        _newLine.Release();
    }

    /// <summary>The checkout the tests run from: the first folder above them holding Burrow.slnx.</summary>
    public static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Burrow.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root (Burrow.slnx) above " + AppContext.BaseDirectory);
    }

    private static string FindExecutable()
    {
        string configuration = typeof(BurrowProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string path = Path.Combine(RepositoryRoot(), "src", "Burrow.Cli", "bin", configuration, "net10.0", "burrow.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"Build src/Burrow.Cli first: {path} is missing.");
    }
}
