using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;
using Burrow.Agent.Tunnels;
using Burrow.Bench.IdleTunnels;
using Burrow.Protocol.Messages;

// The peer suite's "many idle tunnels on one edge" driver: real agents (AgentRunner, the code
// `burrow http` runs), as many sessions as the edge's per-session tunnel limit requires, each
// binding http tunnels to one upstream. It prints BOUND when every tunnel has its URL, then
// holds them until stdin closes (or a bounded time passes), and exits.
//
//   idle-tunnels <edge agent addr> <edge CA pem> <authtoken> <tunnels> <tunnels per session> <upstream port> [hold seconds]
if (args.Length < 6)
{
    Console.Error.WriteLine("usage: idle-tunnels <agent-addr> <ca.pem> <authtoken> <tunnels> <per-session> <upstream-port> [hold-seconds]");
    return 2;
}

string server = args[0];
using X509Certificate2 ca = X509Certificate2.CreateFromPem(File.ReadAllText(args[1]));
string token = args[2];
int total = int.Parse(args[3], CultureInfo.InvariantCulture);
int perSession = int.Parse(args[4], CultureInfo.InvariantCulture);
int upstreamPort = int.Parse(args[5], CultureInfo.InvariantCulture);
TimeSpan hold = TimeSpan.FromSeconds(args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 600);

using var stop = new CancellationTokenSource();
var tally = new EventTally();
var stopwatch = Stopwatch.StartNew();
var runners = new List<Task<int>>();
for (int first = 0; first < total; first += perSession)
{
    int count = Math.Min(perSession, total - first);
    var tunnels = new List<TunnelDefinition>(count);
    for (int i = first; i < first + count; i++)
    {
        tunnels.Add(new TunnelDefinition
        {
            Name = "idle" + i.ToString(CultureInfo.InvariantCulture),
            Subdomain = "idle" + i.ToString(CultureInfo.InvariantCulture),
            Upstream = new UpstreamTarget { Scheme = "http", Host = "127.0.0.1", Port = upstreamPort },
            Options = new EndpointOptions(inspect: false),
        });
    }

    var runner = new AgentRunner(new AgentOptions
    {
        ServerAddress = server,
        ServerName = "localhost",
        Authtoken = token,
        EdgeCa = ca,
        Tunnels = tunnels,
        // No inspector: one web interface per session would run out of ports long before 10,000 tunnels.
        WebAddress = null,
    });
    runner.EventRaised += tally.Add;
    runners.Add(Task.Run(() => runner.RunAsync(stop.Token)));
}

// Bounded wait for every URL (one http:// TunnelStarted per tunnel).
var deadline = Stopwatch.StartNew();
while (tally.HttpUrls < total && deadline.Elapsed < TimeSpan.FromMinutes(5) && !runners.Any(r => r.IsCompleted))
{
    await Task.Delay(100);
}

int ok = tally.HttpUrls;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"BOUND {ok} of {total} tunnels on {runners.Count} sessions in {stopwatch.Elapsed.TotalSeconds:0.0} s"));
if (ok < total)
{
    Console.WriteLine("ERRORS " + tally.Errors() + string.Join(' ', runners.Where(r => r.IsFaulted).Take(3).Select(r => r.Exception!.GetBaseException().Message)));
}

Console.Out.Flush();
// Hold until the suite closes stdin (it measures memory meanwhile), at most `hold`.
Task closed = Task.Run(() => Console.In.ReadToEnd());
await Task.WhenAny(closed, Task.Delay(hold));
await stop.CancelAsync();
await Task.WhenAll(runners).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
return ok == total ? 0 : 1;
