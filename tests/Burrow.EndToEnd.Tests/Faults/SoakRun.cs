using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Faults;

/// <summary>
/// Mixed traffic through one tunnel for a set time (GETs with hashed bodies, POSTs whose bodies come
/// back hashed, WebSocket echoes, streamed responses) while the agent is killed with SIGKILL and
/// restarted at random moments. Every answer is checked: right bytes, or — only while the agent is
/// down — a 502 ERR_BURROW_3004 or a broken connection. The edge's and agent's resident memory is
/// sampled throughout.
/// </summary>
internal sealed class SoakRun
{
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    // After the new agent is online, requests sent on connections from before may still fail once.
    private static readonly TimeSpan RestartSlack = TimeSpan.FromSeconds(3);

    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<(TimeSpan At, double EdgeMiB, double AgentMiB, long Ok)> _samples = [];
    private readonly List<(TimeSpan From, TimeSpan To)> _outages = [];
    private readonly Lock _outageLock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _ok;
    private TimeSpan? _downSince;

    public IReadOnlyCollection<string> Violations => _violations;

    public long Ok => Interlocked.Read(ref _ok);

    public long ExpectedFailures => _outcomes.Where(o => o.Key != "ok").Sum(o => (long)o.Value);

    public int Restarts { get; private set; }

    public IReadOnlyList<(TimeSpan At, double EdgeMiB, double AgentMiB, long Ok)> Samples => _samples;

    public static async Task<SoakRun> RunAsync(TimeSpan duration, int seed, CancellationToken ct)
    {
        var run = new SoakRun();
        await run.ExecuteAsync(duration, seed, ct);
        return run;
    }

    public string Report()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"soak: {_clock.Elapsed.TotalSeconds:0} s, {Ok} answers checked good, {ExpectedFailures} failed during the {Restarts} agent restarts, {_violations.Count} violations");
        text.AppendLine("outcomes: " + string.Join(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")));
        text.AppendLine("| t (s) | edge RSS (MiB) | agent RSS (MiB) | good answers |");
        text.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var (at, edge, agent, ok) in _samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {at.TotalSeconds:0} | {edge:0.0} | {agent:0.0} | {ok} |");
        }

        foreach (string violation in _violations.Take(20))
        {
            text.AppendLine("violation: " + violation);
        }

        return text.ToString();
    }

    private async Task ExecuteAsync(TimeSpan duration, int seed, CancellationToken ct)
    {
        await using var upstream = await Upstream.StartAsync();
        await using var edge = await EdgeRun.StartAsync(extra: EdgeRun.WithHealth);
        using var state = new TempDirectory();
        string[] args = [upstream.Port.ToString(CultureInfo.InvariantCulture), .. edge.AgentArgs()];
        AgentRun agent = await AgentRun.StartAsync(args, state.Path);
        Uri url = agent.HttpsUrl;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(duration);
        try
        {
            Task[] workers = [.. Enumerable.Range(0, 4).Select(i => WorkerAsync(edge, url, seed * 100 + i, stop.Token))];
            Task sampler = SampleAsync(edge, () => agent, stop.Token);
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(8 + random.Next(12)), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                lock (_outageLock)
                {
                    _downSince = _clock.Elapsed;
                }

                agent.Process.Kill();
                await agent.DisposeAsync();
                agent = await AgentRun.StartAsync(args, state.Path, timeout: TimeSpan.FromSeconds(60));
                Restarts++;
                if (agent.HttpsUrl != url)
                {
                    _violations.Enqueue($"restart {Restarts}: the URL changed from {url} to {agent.HttpsUrl}");
                }

                lock (_outageLock)
                {
                    _outages.Add((_downSince!.Value, _clock.Elapsed + RestartSlack));
                    _downSince = null;
                }
            }

            await Task.WhenAll(workers);
            await sampler;
            EdgeHealth health = await ProcessStats.SettleAsync(edge.HealthAsync, h => h.RequestsInFlight == 0 && h.PublicConnections == 0, TimeSpan.FromSeconds(15));
            // For a hunt by hand: BURROW_E2E_EDGE_LOG=info makes the edge log each failed request, and this keeps it.
            if (Environment.GetEnvironmentVariable("BURROW_SOAK_EDGE_OUTPUT") is { Length: > 0 } edgeOutput)
            {
                await File.WriteAllTextAsync(edgeOutput, edge.Process.Output, CancellationToken.None);
            }

            if (health.Sessions != 1 || health.RequestsInFlight != 0 || health.PublicConnections != 0)
            {
                _violations.Enqueue($"after the soak the edge holds {health}");
            }
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    private async Task SampleAsync(EdgeRun edge, Func<AgentRun> agent, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                double agentMiB = agent().Process.HasExited ? double.NaN : ProcessStats.RssMiB(agent().Process.Id);
                _samples.Add((_clock.Elapsed, ProcessStats.RssMiB(edge.Process.Id), agentMiB, Ok));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The agent was being restarted at that instant.
            }

            try
            {
                await Task.Delay(SampleEvery, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkerAsync(EdgeRun edge, Uri url, int seed, CancellationToken ct)
    {
        var random = new Random(seed);
        using var client = Clients.Create(edge.CaPath, timeout: RequestBound);
        while (!ct.IsCancellationRequested)
        {
            int kind = random.Next(10);
            TimeSpan started = _clock.Elapsed;
            string outcome;
            try
            {
                outcome = kind switch
                {
                    < 3 => await GetHelloAsync(client, url),
                    < 5 => await GetBytesAsync(client, url, random.Next(2 * 1024 * 1024)),
                    < 8 => await PostAsync(client, url, random),
                    < 9 => await WebSocketAsync(edge, url, random),
                    _ => await ChunkedAsync(client, url),
                };
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or WebSocketException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                outcome = ex is TaskCanceledException ? "hang: no answer within " + RequestBound : "broken: " + ex.GetType().Name;
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }

            Record(kind, outcome, started);
        }
    }

    private void Record(int kind, string outcome, TimeSpan started)
    {
        if (outcome == "ok")
        {
            Interlocked.Increment(ref _ok);
            _outcomes.AddOrUpdate("ok", 1, (_, n) => n + 1);
            return;
        }

        bool duringRestart;
        TimeSpan ended = _clock.Elapsed;
        lock (_outageLock)
        {
            duringRestart = (_downSince is { } down && ended >= down)
                || _outages.Any(o => ended >= o.From && started <= o.To);
        }

        bool tolerated = duringRestart && (outcome.StartsWith("broken", StringComparison.Ordinal) || outcome == "502 ERR_BURROW_3004");
        string key = tolerated ? "restart: " + outcome : outcome;
        _outcomes.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (!tolerated)
        {
            _violations.Enqueue(string.Create(CultureInfo.InvariantCulture,
                $"kind {kind} from {started.TotalSeconds:0.0} s to {ended.TotalSeconds:0.0} s{(duringRestart ? " (during an agent restart)" : "")}: {outcome}"));
        }
    }

    private static async Task<string> GetHelloAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(new Uri(url, "/hello"));
        string body = await response.Content.ReadAsStringAsync();
        return response.StatusCode != HttpStatusCode.OK ? Status(response) : body == "hello from upstream" ? "ok" : "wrong body: " + body;
    }

    private static async Task<string> GetBytesAsync(HttpClient client, Uri url, int length)
    {
        using var response = await client.GetAsync(new Uri(url, $"/bytes/{length}"));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return Status(response);
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return body.Length != length ? $"wrong length {body.Length} of {length}"
            : Convert.ToHexStringLower(SHA256.HashData(body)) == Upstream.ExpectedHash(length) ? "ok" : "wrong bytes";
    }

    private static async Task<string> PostAsync(HttpClient client, Uri url, Random random)
    {
        byte[] payload = new byte[random.Next(1024 * 1024)];
        random.NextBytes(payload);
        using var response = await client.PostAsync(new Uri(url, "/echo-hash"), new ByteArrayContent(payload));
        string body = await response.Content.ReadAsStringAsync();
        string expected = string.Create(CultureInfo.InvariantCulture, $"{payload.Length} {Convert.ToHexStringLower(SHA256.HashData(payload))}");
        return response.StatusCode != HttpStatusCode.OK ? Status(response) : body == expected ? "ok" : "wrong echo: " + body;
    }

    private static async Task<string> ChunkedAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(new Uri(url, "/chunked"));
        string body = await response.Content.ReadAsStringAsync();
        string expected = string.Concat(Enumerable.Range(0, 5).Select(i => $"line {i}\n"));
        return response.StatusCode != HttpStatusCode.OK ? Status(response) : body == expected ? "ok" : "wrong stream: " + body;
    }

    private static async Task<string> WebSocketAsync(EdgeRun edge, Uri url, Random random)
    {
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = Clients.ConnectLoopbackAsync,
            SslOptions = Clients.TrustingOptions(edge.CaPath),
        });
        using var bound = new CancellationTokenSource(RequestBound);
        try
        {
            await socket.ConnectAsync(new UriBuilder(url) { Scheme = "wss", Path = "/ws" }.Uri, invoker, bound.Token);
            for (int i = 0; i < 3; i++)
            {
                byte[] message = new byte[1 + random.Next(64 * 1024)];
                random.NextBytes(message);
                await socket.SendAsync(message, WebSocketMessageType.Binary, true, bound.Token);
                byte[] received = new byte[message.Length + 1];
                int total = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(received.AsMemory(total), bound.Token);
                    total += result.Count;
                }
                while (!result.EndOfMessage && total < received.Length);

                if (!received.AsSpan(0, total).SequenceEqual(message))
                {
                    return "wrong websocket echo";
                }
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", bound.Token);
            return "ok";
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            return "hang: websocket silent for " + RequestBound;
        }
    }

    private static string Status(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {(response.Headers.TryGetValues("Burrow-Error-Code", out var code) ? code.Single() : "no code")}";
}
