using Burrow.Edge.Policy.Expressions;

namespace Burrow.Edge.Tests.Policy.Expressions;

/// <summary>What the tests evaluate against: the request fields policies read most.</summary>
internal sealed record TestRequest(string Method, string Path, ICelMap Headers, string ClientIp, ICelMap Vars)
{
    public static TestRequest Post { get; } = new(
        "POST",
        "/api/users",
        new CelMap([
            new KeyValuePair<string, object?>("x-api-key", new object?[] { "k1" }),
            new KeyValuePair<string, object?>("user-agent", new object?[] { "curl/8.0" }),
        ]),
        "203.0.113.7",
        new CelMap([new KeyValuePair<string, object?>("tier", "gold")]));

    public static CelEnvironment<TestRequest> Environment(CelLimits? limits = null) =>
        new CelEnvironment<TestRequest> { Limits = limits ?? CelLimits.Default }
            .AddVariable("req.method", r => r.Method)
            .AddVariable("req.url.path", r => r.Path)
            .AddVariable("req.headers", r => r.Headers)
            .AddVariable("conn.client_ip", r => r.ClientIp)
            .AddVariable("vars", r => r.Vars)
            .AddVariable("time.now", _ => new DateTimeOffset(2024, 3, 15, 13, 45, 30, TimeSpan.Zero))
            .AddFunction("getReqHeader", 1, (r, args) => r.Headers.TryGetValue(args[0]!, out object? v) ? v : Array.Empty<object?>());

    public static object? Eval(string expression) => Environment().Compile(expression).Evaluate(Post);

    public static CelEvaluationException EvalError(string expression) =>
        Assert.Throws<CelEvaluationException>(() => Environment().Compile(expression).Evaluate(Post));

    public static CelCompileException CompileError(string expression, CelLimits? limits = null) =>
        Assert.Throws<CelCompileException>(() => Environment(limits).Compile(expression));
}
