using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A real OpenID provider on loopback: panva's <c>oidc-provider</c> from npm (pinned by
/// <c>tests/oidc-provider/package-lock.json</c>), started by <c>tests/oidc-provider/provider.mjs</c> with
/// one confidential client. Any login and password sign in (the package's dev interactions).
/// </summary>
public sealed class OidcProviderRun : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private OidcProviderRun(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public static string Folder => Path.Combine(BurrowProcess.RepositoryRoot(), "tests", "oidc-provider");

    public string Issuer { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<OidcProviderRun> StartAsync(string clientId, string clientSecret, IReadOnlyList<string> redirectUris)
    {
        await EnsureInstalledAsync();
        int port = FreePort.Loopback();
        var info = new ProcessStartInfo("/usr/bin/node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        info.ArgumentList.Add(Path.Combine(Folder, "provider.mjs"));
        info.ArgumentList.Add(JsonSerializer.Serialize(new Dictionary<string, object> { ["port"] = port, ["clientId"] = clientId, ["clientSecret"] = clientSecret, ["redirectUris"] = redirectUris }));
        var process = Process.Start(info)!;
        var run = new OidcProviderRun(process, "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        process.OutputDataReceived += (_, e) => run.Append(e.Data);
        process.ErrorDataReceived += (_, e) => run.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(30), () => run.Log);
        return run;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Runs <c>npm ci --ignore-scripts</c> once when the package is not installed yet.</summary>
    private static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(Folder, "node_modules", "oidc-provider", "package.json")))
            {
                return;
            }

            var (exit, stdout, stderr) = await Tool.RunAsync("/usr/bin/npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", Folder], timeout: TimeSpan.FromMinutes(4));
            Assert.True(exit == 0, $"npm ci in {Folder} failed ({exit}): {stdout}\n{stderr}");
        }
        finally
        {
            InstallGate.Release();
        }
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
}
