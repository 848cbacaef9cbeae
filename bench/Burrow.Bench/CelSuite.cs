using System.Globalization;
using Burrow.Edge.Policy.Expressions;
using System.Net;

namespace Burrow.Bench;

/// <summary>
/// The policy expression engine on the request path: ns and bytes allocated per evaluation for the
/// expression shapes policies use, against the same expressions through the <c>Cel</c> NuGet package
/// (what we measured before writing our own). A plain timed loop on one thread: the figures are per
/// call, and GC.GetAllocatedBytesForCurrentThread counts exactly what the loop allocated.
/// </summary>
internal static class CelSuite
{
    private const int Iterations = 200_000;

    private static readonly (string Name, string Expression)[] Cases =
    [
        ("method + path prefix", "req.method == 'POST' && req.url.path.startsWith('/api')"),
        ("header lookup in a map", "req.headers['x-api-key'][0] == 'secret'"),
        ("inCidrRange", "inCidrRange(conn.client_ip, '10.0.0.0/8')"),
        ("regex matches", "req.url.path.matches('^/api/v[0-9]+/users$')"),
        ("list exists macro", "req.headers['x-forwarded-for'].exists(ip, ip.startsWith('10.'))"),
        ("ternary", "req.method == 'GET' ? 'read' : 'write'"),
    ];

    private sealed record Request(string Method, string Path, CelMap Headers, string ClientIp);

    public static string Run()
    {
        var request = new Request(
            "POST",
            "/api/v1/users",
            new CelMap([
                new KeyValuePair<string, object?>("x-api-key", new object?[] { "secret" }),
                new KeyValuePair<string, object?>("x-forwarded-for", new object?[] { "192.0.2.1", "10.1.2.3" }),
            ]),
            "10.20.30.40");
        var environment = new CelEnvironment<Request>()
            .AddVariable("req.method", r => r.Method)
            .AddVariable("req.url.path", r => r.Path)
            .AddVariable("req.headers", r => r.Headers)
            .AddVariable("conn.client_ip", r => r.ClientIp);

        var theirs = new Cel.CelEnvironment(null, null);
        theirs.RegisterFunction("inCidrRange", [typeof(string), typeof(string)], args =>
            IPNetwork.Parse((string)args[0]!).Contains(IPAddress.Parse((string)args[1]!)));
        var variables = new Dictionary<string, object?>
        {
            ["req"] = new Dictionary<string, object?>
            {
                ["method"] = "POST",
                ["url"] = new Dictionary<string, object?> { ["path"] = "/api/v1/users" },
                ["headers"] = new Dictionary<string, object?>
                {
                    ["x-api-key"] = new List<object?> { "secret" },
                    ["x-forwarded-for"] = new List<object?> { "192.0.2.1", "10.1.2.3" },
                },
            },
            ["conn"] = new Dictionary<string, object?> { ["client_ip"] = "10.20.30.40" },
        };

        var table = new System.Text.StringBuilder();
        table.AppendLine("| expression | result | Burrow ns/eval | Burrow B/eval | Cel 0.3.3 ns/eval | Cel 0.3.3 B/eval |");
        table.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach ((string name, string expression) in Cases)
        {
            CelProgram<Request> ours = environment.Compile(expression);
            object? result = ours.Evaluate(request);
            (double ns, double bytes) = PerCall.Measure(() => ours.Evaluate(request), Iterations, 10_000);

            string theirNs = "n/a", theirBytes = "n/a";
            try
            {
                var compiled = theirs.Compile(expression.Replace("inCidrRange(conn.client_ip, '10.0.0.0/8')", "inCidrRange('10.0.0.0/8', conn.client_ip)", StringComparison.Ordinal));
                compiled.Invoke(variables);
                (double n, double b) = PerCall.Measure(() => compiled.Invoke(variables), Iterations, 10_000);
                theirNs = n.ToString("0", CultureInfo.InvariantCulture);
                theirBytes = b.ToString("0", CultureInfo.InvariantCulture);
            }
            catch (Exception ex)
            {
                theirNs = $"fails: {ex.GetType().Name}";
            }

            table.AppendLine(CultureInfo.InvariantCulture, $"| {name}: `{expression}` | {Convert.ToString(result, CultureInfo.InvariantCulture)} | {ns:0} | {bytes:0} | {theirNs} | {theirBytes} |");
        }

        return table.ToString();
    }
}
