using System.Diagnostics;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>Runs the system's curl, bounded in time.</summary>
public static class Curl
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--silent");
        info.ArgumentList.Add("--show-error");
        info.ArgumentList.Add("--noproxy");
        info.ArgumentList.Add("*");
        info.ArgumentList.Add("--max-time");
        info.ArgumentList.Add(((int)(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource((timeout ?? TimeSpan.FromSeconds(60)) + TimeSpan.FromSeconds(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
