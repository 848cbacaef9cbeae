using System.Diagnostics;

namespace Burrow.Acme.Tests.Bind;

/// <summary>Runs a command-line tool of Debian's bind9/knot packages (dig, kdig, tsig-keygen) to its end, with a bound.</summary>
internal static class Tools
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        if (!File.Exists(program))
        {
            throw new InvalidOperationException($"{program} is not installed: scripts/install-test-deps.sh (bind9, bind9-dnsutils, knot-dnsutils)");
        }

        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary><c>dig +short</c> TXT values of a name at a server, quotes removed, sorted.</summary>
    public static async Task<IReadOnlyList<string>> DigTxtAsync(int port, string name)
    {
        var (code, output) = await RunAsync("/usr/bin/dig", "@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+short", "+norecurse", name, "TXT");
        Assert.True(code == 0, output);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.Trim('"')).Order(StringComparer.Ordinal)];
    }
}
