using System.Diagnostics;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Trust;

/// <summary><c>burrow trust</c> against a real edge's CA, with HOME in a temporary folder so that no real browser profile is touched.</summary>
public sealed class TrustCommandTests
{
    [Fact(Timeout = 60_000)]
    public async Task Print_lists_the_steps_per_system_and_changes_nothing()
    {
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();

        var (exit, output) = await BurrowProcess.RunToEndAsync(["trust", "--print", "--data-dir", edge.DataDir], Home(home));

        Assert.Equal(0, exit);
        Assert.Contains(edge.CaPath, output, StringComparison.Ordinal);
        Assert.Contains("certutil -A -d sql:$HOME/.pki/nssdb -t C,, -n", output, StringComparison.Ordinal);
        Assert.Contains("update-ca-certificates", output, StringComparison.Ordinal);
        Assert.Contains("security add-trusted-cert", output, StringComparison.Ordinal);
        Assert.Contains("certutil -user -addstore Root", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(home.Path, ".pki")), "--print must change nothing");
    }

    [Fact(Timeout = 60_000)]
    public async Task Trust_adds_the_CA_to_the_NSS_database_and_uninstall_removes_it()
    {
        Assert.True(File.Exists("/usr/bin/certutil"), "certutil is missing: apt-get install libnss3-tools (scripts/install-test-deps.sh)");
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        string db = "sql:" + Path.Combine(home.Path, ".pki", "nssdb");

        var (exit, output) = await BurrowProcess.RunToEndAsync(["trust", "--data-dir", edge.DataDir, "--stores", "nss"], Home(home));

        Assert.True(exit == 0, output);
        Assert.Contains("done  Chromium and Chrome", output, StringComparison.Ordinal);
        string listed = await CertutilAsync(["-L", "-d", db]);
        Assert.Contains("Burrow local CA for ", listed, StringComparison.Ordinal);
        Assert.Contains("C,,", listed, StringComparison.Ordinal);

        var (again, againOutput) = await BurrowProcess.RunToEndAsync(["trust", "--data-dir", edge.DataDir, "--stores", "nss"], Home(home));
        Assert.True(again == 0, againOutput);
        Assert.Single((await CertutilAsync(["-L", "-d", db])).Split('\n'), l => l.StartsWith("Burrow local CA for ", StringComparison.Ordinal));

        var (removed, removedOutput) = await BurrowProcess.RunToEndAsync(["trust", "--uninstall", "--data-dir", edge.DataDir, "--stores", "nss"], Home(home));
        Assert.True(removed == 0, removedOutput);
        Assert.DoesNotContain("Burrow local CA", await CertutilAsync(["-L", "-d", db]), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_certutil_it_says_what_to_install_and_fails()
    {
        await using EdgeRun edge = await EdgeRun.StartAsync();
        using var home = new TempDirectory();
        var environment = Home(home);
        environment["PATH"] = home.Path;

        var (exit, output) = await BurrowProcess.RunToEndAsync(["trust", "--data-dir", edge.DataDir, "--stores", "nss"], environment);

        Assert.Equal(1, exit);
        Assert.Contains("NOT DONE  Chromium and Chrome", output, StringComparison.Ordinal);
        Assert.Contains("apt-get install libnss3-tools", output, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_7022", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task No_CA_yet_is_7021_with_how_to_make_one()
    {
        using var home = new TempDirectory();

        var (exit, output) = await BurrowProcess.RunToEndAsync(["trust", "--data-dir", Path.Combine(home.Path, "no-edge")], Home(home));

        Assert.Equal(2, exit);
        Assert.Contains("ERR_BURROW_7021: There is no local CA at", output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Home(TempDirectory home) => new()
    {
        ["HOME"] = home.Path,
        ["XDG_DATA_HOME"] = Path.Combine(home.Path, "data"),
    };

    private static async Task<string> CertutilAsync(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("certutil") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return await stdout + await stderr;
    }
}
