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
            if (s_installed || File.Exists(Path.Combine(Folder, "node_modules", "@ngrok", "ngrok-linux-x64-gnu", "package.json")) && File.Exists(AgentBinary) && File.Exists(Path.Combine(Folder, "node_modules", "ngrok", "package.json")))
            {
                s_installed = true;
                return;
            }

            // --ignore-scripts: the npm ngrok wrapper's install script would download an ngrok binary (no internet here, and not wanted).
            var (exit, stdout, stderr) = await Tool.RunAsync("/usr/bin/npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", Folder], timeout: TimeSpan.FromMinutes(4));
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

/// <summary>
/// A Node script of <c>tests/ngrok-clients</c> in its own node process: it gets its options as JSON in argv[2], prints
/// events as JSON lines on stdout and reads commands on stdin, one per line.
/// </summary>
public sealed class NodeScriptRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _log = new();
    private readonly Task _readers;

    private NodeScriptRun(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(ReadEventsAsync(), ReadErrorsAsync());
    }

    public bool HasExited => _process.HasExited;

    public static async Task<NodeScriptRun> StartAsync(string script, IReadOnlyDictionary<string, object?> options, IReadOnlyDictionary<string, string>? environment = null)
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
        info.ArgumentList.Add(Path.Combine(NgrokClients.Folder, script));
        info.ArgumentList.Add(JsonSerializer.Serialize(options));
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new NodeScriptRun(Process.Start(info)!);
    }

    /// <summary>The next event named one of <paramref name="names"/> (others are skipped).</summary>
    public Task<JsonElement> NextAsync(TimeSpan timeout, params string[] names) =>
        NextAsync(e => names.Contains(e.GetProperty("event").GetString()), timeout);

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
            throw new TimeoutException($"no matching event from the script within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:\n{Diagnostics()}");
        }
    }

    /// <summary>Sends one command line to the script.</summary>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
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

/// <summary>One <c>ngrok.forward()</c> of the real Node SDK, run by <c>tests/ngrok-clients/sdk-forward.mjs</c>.</summary>
public sealed class NgrokSdkForward : IAsyncDisposable
{
    private readonly NodeScriptRun _script;

    private NgrokSdkForward(NodeScriptRun script)
    {
        _script = script;
    }

    /// <summary>The URL forward() resolved with (empty when it rejected).</summary>
    public string Url { get; private set; } = "";

    public string Id { get; private set; } = "";

    /// <summary>Starts node and waits for forward() to resolve or reject; <see cref="Url"/> is set when it resolved.</summary>
    public static async Task<(NgrokSdkForward Forward, JsonElement Outcome)> StartAsync(IReadOnlyDictionary<string, object?> options, TimeSpan? timeout = null)
    {
        var forward = new NgrokSdkForward(await NodeScriptRun.StartAsync("sdk-forward.mjs", options));
        JsonElement outcome = await forward._script.NextAsync(timeout ?? TimeSpan.FromSeconds(30), "online", "error");
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

    /// <summary>Calls <c>listener.close()</c> and waits for it to resolve.</summary>
    public async Task CloseListenerAsync()
    {
        await _script.SendAsync("close");
        await _script.NextAsync(TimeSpan.FromSeconds(15), "closed");
    }

    public string Diagnostics() => _script.Diagnostics();

    public ValueTask DisposeAsync() => _script.DisposeAsync();
}
