using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// ngrok's own clients, installed from npm into <c>tests/ngrok-clients</c> (its lockfile pins them):
/// the Node SDK <c>@ngrok/ngrok</c> (with its native addon) and the ngrok agent 2.3.41 binary that
/// <c>@expo/ngrok-bin-linux-x64</c> ships. Nobody here wrote them.
/// </summary>
public static class NgrokClients
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool s_installed;

    public static string Folder => Path.Combine(BurrowProcess.RepositoryRoot(), "tests", "ngrok-clients");

    /// <summary>The ngrok agent 2.3.41 executable.</summary>
    public static string AgentBinary => Path.Combine(Folder, "node_modules", "@expo", "ngrok-bin-linux-x64", "ngrok");

    /// <summary>Runs <c>npm ci</c> once per test run when the packages are not there yet.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (s_installed || File.Exists(Path.Combine(Folder, "node_modules", "@ngrok", "ngrok-linux-x64-gnu", "package.json")) && File.Exists(AgentBinary))
            {
                s_installed = true;
                return;
            }

            var (exit, stdout, stderr) = await Tool.RunAsync("/usr/bin/npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder], timeout: TimeSpan.FromMinutes(4));
            Assert.True(exit == 0, $"npm ci in {Folder} failed ({exit}): {stdout}\n{stderr}");
            s_installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>The options every SDK forward needs to reach <paramref name="edge"/> (the two settings a user changes).</summary>
    public static Dictionary<string, object?> SdkOptions(EdgeRun edge, object addr, string? authtoken = null) => new()
    {
        ["addr"] = addr,
        ["authtoken"] = authtoken ?? edge.Token,
        ["server_addr"] = "localhost:" + edge.AgentAddress[(edge.AgentAddress.LastIndexOf(':') + 1)..],
        ["root_cas"] = edge.CaPath,
    };
}

/// <summary>One <c>ngrok.forward()</c> of the real Node SDK, run by <c>tests/ngrok-clients/sdk-forward.mjs</c> in its own node process.</summary>
public sealed class NgrokSdkForward : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _log = new();
    private readonly Task _readers;

    private NgrokSdkForward(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(ReadEventsAsync(), ReadErrorsAsync());
    }

    /// <summary>The URL forward() resolved with (empty when it rejected).</summary>
    public string Url { get; private set; } = "";

    public string Id { get; private set; } = "";

    /// <summary>Starts node and waits for forward() to resolve or reject; <see cref="Url"/> is set when it resolved.</summary>
    public static async Task<(NgrokSdkForward Forward, JsonElement Outcome)> StartAsync(IReadOnlyDictionary<string, object?> options, TimeSpan? timeout = null)
    {
        await NgrokClients.EnsureInstalledAsync();
        var info = new ProcessStartInfo("/usr/bin/node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = NgrokClients.Folder,
        };
        info.ArgumentList.Add(Path.Combine(NgrokClients.Folder, "sdk-forward.mjs"));
        info.ArgumentList.Add(JsonSerializer.Serialize(options));
        var forward = new NgrokSdkForward(Process.Start(info)!);
        JsonElement outcome = await forward.NextAsync(e => e.GetProperty("event").GetString() is "online" or "error", timeout ?? TimeSpan.FromSeconds(30));
        if (outcome.GetProperty("event").GetString() == "online")
        {
            forward.Url = outcome.GetProperty("url").GetString()!;
            forward.Id = outcome.GetProperty("id").GetString()!;
        }

        return (forward, outcome);
    }

    /// <summary>Starts a forward that must come online.</summary>
    public static async Task<NgrokSdkForward> OnlineAsync(IReadOnlyDictionary<string, object?> options)
    {
        var (forward, outcome) = await StartAsync(options);
        if (forward.Url.Length == 0)
        {
            string log = forward.Diagnostics();
            await forward.DisposeAsync();
            Assert.Fail($"forward() did not come online: {outcome}\n{log}");
        }

        return forward;
    }

    /// <summary>The next event the script printed that <paramref name="match"/> accepts (others are skipped).</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                JsonElement e = await _events.Reader.ReadAsync(cts.Token);
                if (match(e))
                {
                    return e;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no matching event from the SDK script within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:\n{Diagnostics()}");
        }
    }

    /// <summary>Calls <c>listener.close()</c> and waits for it to resolve.</summary>
    public async Task CloseListenerAsync()
    {
        await _process.StandardInput.WriteLineAsync("close");
        await _process.StandardInput.FlushAsync();
        await NextAsync(e => e.GetProperty("event").GetString() == "closed", TimeSpan.FromSeconds(15));
    }

    public string Diagnostics()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Already gone.
        }

        await _readers.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _process.Dispose();
    }

    private async Task ReadEventsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            Append("out: " + line);
            try
            {
                using var doc = JsonDocument.Parse(line);
                _events.Writer.TryWrite(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
                // Not one of the script's events (a log line): kept in the diagnostics only.
            }
        }

        _events.Writer.TryComplete();
    }

    private async Task ReadErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            Append("err: " + line);
        }
    }

    private void Append(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
