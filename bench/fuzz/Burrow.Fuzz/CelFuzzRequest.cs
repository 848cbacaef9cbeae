using Burrow.Edge.Policy.Expressions;

namespace Burrow.Fuzz;

/// <summary>The request the <c>cel</c> target evaluates against, and the environment that exposes it.</summary>
internal sealed record CelFuzzRequest(string Method, string Path, ICelMap Headers, string ClientIp)
{
    public static CelFuzzRequest Sample { get; } = new(
        "POST",
        "/api/v1/items?id=7",
        new CelMap([
            new KeyValuePair<string, object?>("content-type", new object?[] { "application/json" }),
            new KeyValuePair<string, object?>("x-forwarded-for", new object?[] { "10.0.0.1", "192.0.2.4" }),
        ]),
        "2001:db8::7");

    // Immutable once built: compiled programs only read it.
    public static CelEnvironment<CelFuzzRequest> Environment { get; } = new CelEnvironment<CelFuzzRequest>()
        .AddVariable("req.method", r => r.Method)
        .AddVariable("req.url.path", r => r.Path)
        .AddVariable("req.headers", r => r.Headers)
        .AddVariable("conn.client_ip", r => r.ClientIp)
        .AddVariable("time.now", _ => new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))
        .AddFunction("getReqHeader", 1, (r, args) => args[0] is string name && r.Headers.TryGetValue(name, out object? v) ? v : Array.Empty<object?>());
}
