using System.Diagnostics;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>Runs a program of the system (openssl, psql, ssh...) to completion, bounded in time, with its output captured.</summary>
public static class Tool
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time. Stderr so far: {(stderr.IsCompleted ? stderr.Result : "")}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit fails with the program's output.</summary>
    public static async Task<string> RunOkAsync(
        string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string[] list = [.. args];
        (int exit, string stdout, string stderr) = await RunAsync(file, list, stdin, timeout, environment);
        return exit == 0
            ? stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', list)} exited {exit}.\nstdout: {stdout}\nstderr: {stderr}");
    }

    /// <summary>Whether the program exists on this machine (on PATH or as an absolute path).</summary>
    public static bool Exists(string file) =>
        Path.IsPathRooted(file)
            ? File.Exists(file)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, file)));
}
