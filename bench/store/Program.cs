using System.Diagnostics;
using System.Globalization;
using System.Net;
using Burrow.Bench.Store;
using Burrow.Edge;
using Burrow.Protocol.Messages;
using Burrow.Storage;

// The control plane's figures: authentications per second the edge sustains with each store, and
// bind latency with 10,000 reserved domains. Everything is real: the edge listens on loopback with
// TLS, clients speak the agent's protocol, the stores are an SQLite file and a PostgreSQL server
// with default (durable) settings. It prints its figures; it has no pass/fail.
var settings = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["--seconds"] = "10", ["--concurrency"] = "16", ["--reserved"] = "10000", ["--binds"] = "3000", ["--stores"] = "sqlite,postgres",
};
for (int i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i]] = args[i + 1];
}

int seconds = int.Parse(settings["--seconds"], CultureInfo.InvariantCulture);
int concurrency = int.Parse(settings["--concurrency"], CultureInfo.InvariantCulture);
int reservedCount = int.Parse(settings["--reserved"], CultureInfo.InvariantCulture);
int binds = int.Parse(settings["--binds"], CultureInfo.InvariantCulture);
Console.WriteLine($"burrow store bench: {seconds} s per auth run, {concurrency} concurrent clients, {reservedCount} reserved domains, {binds} binds; {Environment.ProcessorCount} cores");
Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}");

foreach (string kind in settings["--stores"].Split(','))
{
    LocalPostgres? pg = kind == "postgres" ? await LocalPostgres.StartAsync() : null;
    string dataDir = Directory.CreateTempSubdirectory("burrow-bench-store-").FullName;
    try
    {
        await RunAsync(kind, pg?.Url, dataDir);
    }
    finally
    {
        if (pg is not null)
        {
            await pg.DisposeAsync();
        }

        Directory.Delete(dataDir, recursive: true);
    }
}

Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");

async Task RunAsync(string kind, string? database, string dataDir)
{
    const string StaticToken = "brw_bench_static_token_given_on_the_command_line";
    var options = new EdgeOptions
    {
        DataDirectory = dataDir,
        Database = database,
        AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        HttpEndPoint = null,
        AdminEndPoint = null,
        // Each authentication opens a session; a short grace keeps the thousands of them from piling up.
        ResumeGrace = TimeSpan.FromSeconds(2),
        Authtokens = [StaticToken],
    };
    await using var edge = EdgeServer.Create(options);
    await edge.StartAsync();
    IControlStore store = edge.Store!;
    IPEndPoint agents = edge.Endpoints.Agents!;
    var ca = edge.LocalCaCertificate!;

    Account bench = await store.CreateAccountAsync("bench");
    Account others = await store.CreateAccountAsync("others");
    string[] tokens = [.. await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        (await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = bench.Id, Name = $"t{i}" })).Secret))];

    // :: 10,000 reserved domains: 100 of the bench account, the rest of another.
    var fill = Stopwatch.StartNew();
    int next = 0;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next) - 1) < reservedCount)
        {
            await store.ReserveDomainAsync(i < 100 ? bench.Id : others.Id, string.Create(CultureInfo.InvariantCulture, $"r{i}.localhost"));
        }
    })));
    fill.Stop();
    Console.WriteLine();
    Console.WriteLine($"== {kind} ({store.Description}) ==");
    Console.WriteLine($"reserve {reservedCount} domains (8 writers): {fill.Elapsed.TotalSeconds:F1} s, {reservedCount / fill.Elapsed.TotalSeconds:F0} inserts/s");

    // :: store lookups alone (what an authentication asks the store)
    double lookups = await RateAsync(concurrency, TimeSpan.FromSeconds(seconds), async (i, ct) =>
    {
        if (await store.FindAuthtokenAsync(tokens[i % tokens.Length], ct) is null)
        {
            throw new InvalidOperationException("token not found");
        }
    });
    Console.WriteLine($"store token lookups/s ({concurrency} concurrent): {lookups:F0}");

    // :: full authentications: TLS + mux + auth + session, with a stored token and with a static one
    double storedAuth = await RateAsync(concurrency, TimeSpan.FromSeconds(seconds), async (i, ct) =>
    {
        await using var client = await AgentClient.ConnectAsync(agents, ca, tokens[i % tokens.Length], ct);
    });
    Console.WriteLine($"edge authentications/s, stored token ({concurrency} concurrent agents, each TCP+TLS+mux+auth): {storedAuth:F0}");
    double staticAuth = await RateAsync(concurrency, TimeSpan.FromSeconds(seconds), async (i, ct) =>
    {
        await using var client = await AgentClient.ConnectAsync(agents, ca, StaticToken, ct);
    });
    Console.WriteLine($"edge authentications/s, --authtoken token (no store lookup), same clients: {staticAuth:F0}");

    // :: bind latency with the reservations in place: own reserved names, free requested names, random names
    await Task.Delay(TimeSpan.FromSeconds(3)); // let the sessions above expire
    await using (var agent = await AgentClient.ConnectAsync(agents, ca, tokens[0], CancellationToken.None))
    {
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal) { ["reserved (own)"] = [], ["requested (free)"] = [], ["random"] = [] };
        for (int i = 0; i < binds; i++)
        {
            string mode = (i % 3) switch { 0 => "reserved (own)", 1 => "requested (free)", _ => "random" };
            var bind = new BindMessage
            {
                RequestId = string.Create(CultureInfo.InvariantCulture, $"b{i}"),
                Proto = TunnelProtocols.Http,
                Subdomain = mode switch
                {
                    "reserved (own)" => string.Create(CultureInfo.InvariantCulture, $"r{i % 100}"),
                    "requested (free)" => string.Create(CultureInfo.InvariantCulture, $"free{i}"),
                    _ => null,
                },
            };
            long start = Stopwatch.GetTimestamp();
            await agent.Writer.WriteAsync(bind, CancellationToken.None);
            var result = (BindResultMessage)(await agent.Reader.ReadAsync(CancellationToken.None))!;
            samples[mode].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (result.Error is { } error)
            {
                throw new InvalidOperationException($"bind {bind.Subdomain}: {error}");
            }

            await agent.Writer.WriteAsync(new UnbindMessage { TunnelId = result.TunnelId! }, CancellationToken.None);
            _ = await agent.Reader.ReadAsync(CancellationToken.None);
        }

        Console.WriteLine($"bind round trip with {reservedCount} reserved domains ({binds} binds, one at a time), ms:");
        foreach (var (mode, list) in samples.Append(new("all", [.. samples.Values.SelectMany(v => v)])))
        {
            list.Sort();
            Console.WriteLine($"  {mode,-17} p50 {Pct(list, 50):F2}  p99 {Pct(list, 99):F2}  max {list[^1]:F2}  (n={list.Count})");
        }
    }
}

static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, sorted.Count * p / 100)];

static async Task<double> RateAsync(int concurrency, TimeSpan duration, Func<int, CancellationToken, Task> operation)
{
    // A short warm-up (JIT, pools) before the clock starts.
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => operation(i, CancellationToken.None)));
    using var stop = new CancellationTokenSource(duration);
    long done = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
    {
        for (int i = worker; !stop.IsCancellationRequested; i += concurrency)
        {
            await operation(i, CancellationToken.None);
            Interlocked.Increment(ref done);
        }
    })));
    return done / clock.Elapsed.TotalSeconds;
}
