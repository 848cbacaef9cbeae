using System.Diagnostics;
using System.Text;

namespace Burrow.Packaging.Tests;

/// <summary>The repository the tests run in.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    public static string File(string relativePath) => Path.Combine(Root, relativePath);

    public static string Read(string relativePath) => System.IO.File.ReadAllText(File(relativePath));

    /// <summary>The version of Directory.Build.props, the one every artifact must carry.</summary>
    public static string Version { get; } = System.Text.RegularExpressions.Regex.Match(Read("Directory.Build.props"), "<Version>([^<]+)</Version>").Groups[1].Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Burrow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Burrow.slnx above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A folder under /tmp removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "burrow-pkg-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Runs programs: to the end with their output, or in the background until a line shows.</summary>
internal static class Run
{
    /// <summary>The environment of this process without anything of .NET's: what a machine without the SDK has.</summary>
    public static Dictionary<string, string?> WithoutDotnet(string path)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            environment[name] = name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("MSBUILD", StringComparison.Ordinal)
                || name.StartsWith("NUGET_", StringComparison.Ordinal) || name is "PATH" or "TESTINGPLATFORM_DIAGNOSTIC" ? null : (string?)entry.Value;
        }

        environment["PATH"] = path;
        return environment;
    }

    public static async Task<(int ExitCode, string Output, string Error)> ToEndAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? directory = null, TimeSpan? timeout = null)
    {
        using Process process = Start(program, arguments, environment, directory);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end in time; it said: {await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a bash script of the repository (packaging/...) and fails with its output when it fails.</summary>
    public static async Task<string> ScriptAsync(string script, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            all[(string)entry.Key] = (string?)entry.Value;
        }

        // The builds the scripts start keep no MSBuild nodes or build servers around: nothing of theirs outlives the
        // script, talks to the test run's own build processes, or holds the machine's CPU after the test.
        all["MSBUILDDISABLENODEREUSE"] = "1";
        all["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (name, value) in environment)
        {
            all[name] = value;
        }

        var (exit, output, error) = await ToEndAsync("/bin/bash", [Repo.File(script), .. arguments], all, Repo.Root, TimeSpan.FromMinutes(25));
        Assert.True(exit == 0, $"{script} {string.Join(' ', arguments)} failed ({exit}):\n{output}\n{error}");
        return output + error;
    }

    public static Process Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? directory = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                if (value is not null)
                {
                    info.Environment[name] = value;
                }
            }
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        return process;
    }
}

/// <summary>A long-running program (an edge) read line by line until it says what the test waits for.</summary>
internal sealed class Background : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();

    private Background(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static Background Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? directory = null) =>
        new(Run.Start(program, arguments, environment, directory));

    /// <summary>Waits for a line starting with <paramref name="prefix"/>; fails with everything said so far when the program ends or time is up.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_lock)
            {
                if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                await Task.Delay(100);
                Assert.Fail($"the program ended ({_process.ExitCode}) before '{prefix}':\n{Output}");
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no '{prefix}' within {timeout}:\n{Output}");
        return "";
    }

    /// <summary>Stops it the way systemd and docker do (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _lines.Add(line);
            }
        }
    }
}
