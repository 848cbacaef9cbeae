using System.Diagnostics;
using System.Globalization;

namespace Burrow.Bench;

/// <summary>
/// The Go yamux pair: HashiCorp's yamux on both ends, as two processes of the interop peer
/// (tests/interop/go/yamuxpeer): one bench-server for the whole run, one bench-client per
/// measurement. Their RESULT lines are the figures.
/// </summary>
internal sealed class GoYamuxPeer : IDisposable
{
    private const string InstallHint = "apt-get install golang-go golang-github-hashicorp-yamux-dev";

    private readonly Process _server;
    private readonly string _address;

    private GoYamuxPeer(Process server, string address)
    {
        _server = server;
        _address = address;
    }

    /// <summary>Builds the peer if needed and starts its server; null with a reason when Go or the yamux sources are missing.</summary>
    public static async Task<(GoYamuxPeer? Peer, string? WhyNot)> TryStartAsync()
    {
        var built = await BuildIfStaleAsync();
        if (built is not null)
        {
            return (null, built);
        }

        var server = Start("bench-server", "127.0.0.1:0");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("LISTENING ", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(e.Data["LISTENING ".Length..]);
            }
        };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return (new GoYamuxPeer(server, address), null);
        }
        catch (TimeoutException)
        {
            server.Kill();
            server.Dispose();
            return (null, "the Go bench-server did not print LISTENING within 10 s");
        }
    }

    /// <summary>The bench-server's process id, so its CPU time can be counted.</summary>
    public int ServerProcessId => _server.Id;

    /// <summary>One stream, <paramref name="bytes"/> one way; seconds as the Go client measured them.</summary>
    public async Task<double> BulkAsync(long bytes)
    {
        var lines = await RunClientAsync("bulk", bytes);
        return ParseSeconds(lines, "bulk");
    }

    /// <summary>100 streams sharing <paramref name="bytes"/>, and the echo round trips on a 101st stream meanwhile.</summary>
    public async Task<(double Seconds, double P50, double P99, int Count)> Bulk100Async(long bytes)
    {
        var lines = await RunClientAsync("bulk100", bytes);
        var seconds = ParseSeconds(lines, "bulk100");
        // RESULT echo-p50 <µs> p99 <µs> n <count>
        var echo = Find(lines, "echo-p50");
        return (seconds, Number(echo[2]), Number(echo[4]), (int)Number(echo[6]));
    }

    public void Dispose()
    {
        if (!_server.HasExited)
        {
            _server.Kill();
            _server.WaitForExit();
        }

        _server.Dispose();
    }

    private async Task<string[]> RunClientAsync(string mode, long bytes)
    {
        using var client = Start("bench-client", _address, mode, bytes.ToString(CultureInfo.InvariantCulture));
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync();
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return client.ExitCode == 0
            ? lines
            : throw new InvalidOperationException($"Go bench-client {mode} exited with {client.ExitCode}: {string.Join(" / ", lines)} {await stderr}");
    }

    private static double ParseSeconds(string[] lines, string mode) => Number(Find(lines, mode)[3]); // RESULT <mode> <bytes> <seconds> <MB/s>

    private static string[] Find(string[] lines, string what) =>
        lines.Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[0] == "RESULT" && f[1] == what)
        ?? throw new InvalidOperationException($"no 'RESULT {what}' line in the Go client's output: {string.Join(" / ", lines)}");

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(RepoPaths.GoPeerBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["YAMUXPEER_WATCHDOG_SECONDS"] = "180";
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {RepoPaths.GoPeerBinary}");
    }

    /// <summary>Runs tests/interop/go/build.sh when the binary is missing or older than main.go; returns why it failed, or null.</summary>
    private static async Task<string?> BuildIfStaleAsync()
    {
        var binary = new FileInfo(RepoPaths.GoPeerBinary);
        if (binary.Exists && binary.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(RepoPaths.GoPeerSource))
        {
            return null;
        }

        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.GoBuildScript);
        info.ArgumentList.Add(RepoPaths.GoPeerBinary);
        using var build = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync();
        _ = await stdout;
        var errors = (await stderr).Trim();
        if (build.ExitCode == 0)
        {
            return null;
        }

        // build.sh names what is missing and how to install it; add the hint only if it did not.
        return errors.Contains(InstallHint, StringComparison.Ordinal)
            ? $"building the Go yamux peer failed: {errors}"
            : $"building the Go yamux peer failed: {errors}; to get the Go column: {InstallHint}";
    }
}
