using System.Globalization;
using System.Net;
using Burrow.Edge;
using Burrow.Edge.Access;
using Burrow.Edge.Agents;
using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Bench;

/// <summary>
/// A whole traffic policy on the request path, in process: ns and bytes allocated per request for
/// bench/policy/ten-rules.yml (request phase, then response phase), as the edge runs it. Each request is a
/// fresh <see cref="DefaultHttpContext"/>, as Kestrel would give one; the cost of building that context alone
/// is measured the same way and taken off, so the figures are the policy's own.
/// </summary>
internal static class PolicySuite
{
    private const int Iterations = 200_000;

    public static string Run()
    {
        string path = Path.Combine(RepoPaths.Root, "bench", "policy", "ten-rules.yml");
        PolicyLoadResult loaded = PolicyLoader.Load(File.ReadAllText(path), "http", PolicyServices.ForValidation());
        TrafficPolicy policy = loaded.Policy ?? throw new InvalidOperationException(loaded.Describe());
        Tunnel tunnel = NewTunnel();
        var client = new IPEndPoint(IPAddress.Loopback, 50_000);

        var table = new System.Text.StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Policy: {Path.GetRelativePath(RepoPaths.Root, path)} ({policy.OnHttpRequest.Rules.Length} request rules, {policy.OnHttpResponse.Rules.Length} response rule); {Iterations:N0} requests on one thread");
        table.AppendLine();
        table.AppendLine("| per request | ns | bytes |");
        table.AppendLine("| --- | ---: | ---: |");

        Func<object?> contextOnly = () => NewRequest(client);
        Func<object?> requestPhase = () =>
        {
            DefaultHttpContext http = NewRequest(client);
            RunRequestPhase(policy, tunnel, http, client);
            return http;
        };
        Func<object?> bothPhases = () =>
        {
            DefaultHttpContext http = NewRequest(client);
            PolicyContext context = RunRequestPhase(policy, tunnel, http, client);
            http.Response.StatusCode = 200;
            http.Response.Headers.Server = "nginx";
            Complete(policy.RunAsync(PolicyPhaseKind.HttpResponse, context));
            return http;
        };

        // Each shape is measured three times in turn and the fastest kept: the first pass also pays for tiered JIT.
        (double contextNs, double contextBytes) = (double.MaxValue, 0);
        (double requestNs, double requestBytes) = (double.MaxValue, 0);
        (double wholeNs, double wholeBytes) = (double.MaxValue, 0);
        for (int pass = 0; pass < 3; pass++)
        {
            (double ns, double bytes) = PerCall.Measure(contextOnly, Iterations, 20_000);
            (contextNs, contextBytes) = ns < contextNs ? (ns, bytes) : (contextNs, contextBytes);
            (ns, bytes) = PerCall.Measure(requestPhase, Iterations, 20_000);
            (requestNs, requestBytes) = ns < requestNs ? (ns, bytes) : (requestNs, requestBytes);
            (ns, bytes) = PerCall.Measure(bothPhases, Iterations, 20_000);
            (wholeNs, wholeBytes) = ns < wholeNs ? (ns, bytes) : (wholeNs, wholeBytes);
        }

        table.AppendLine(CultureInfo.InvariantCulture, $"| request phase (9 rules) | {requestNs - contextNs:0} | {requestBytes - contextBytes:0} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| request + response phases (10 rules) | {wholeNs - contextNs:0} | {wholeBytes - contextBytes:0} |");
        table.AppendLine(CultureInfo.InvariantCulture, $"| (a fresh DefaultHttpContext with 4 headers, taken off above) | {contextNs:0} | {contextBytes:0} |");
        return table.ToString();
    }

    private static PolicyContext RunRequestPhase(TrafficPolicy policy, Tunnel tunnel, DefaultHttpContext http, IPEndPoint client)
    {
        var context = new PolicyContext(tunnel, policy, http, client, null, null, DateTimeOffset.UnixEpoch);
        context.AttachTo(http);
        if (Complete(policy.RunAsync(PolicyPhaseKind.HttpRequest, context)) != Burrow.Edge.Policy.Actions.ActionResult.Continue)
        {
            throw new InvalidOperationException("the benchmark's request was stopped by the policy: " + http.Response.StatusCode.ToString(CultureInfo.InvariantCulture));
        }

        return context;
    }

    private static DefaultHttpContext NewRequest(IPEndPoint client)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("q.localhost");
        http.Request.Path = "/1k";
        http.Request.Headers.UserAgent = "wrk";
        http.Request.Headers.Accept = "*/*";
        http.Request.Headers["x-tenant"] = "acme";
        http.Request.Headers["x-internal-debug"] = "1";
        http.Connection.RemoteIpAddress = client.Address;
        http.Connection.RemotePort = client.Port;
        return http;
    }

    private static Burrow.Edge.Policy.Actions.ActionResult Complete(ValueTask<Burrow.Edge.Policy.Actions.ActionResult> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static Tunnel NewTunnel()
    {
        var session = new AgentSession("s_bench", new AgentCredential(new byte[32], null), new AgentInfo(), "127.0.0.1:1", TimeProvider.System);
        var bind = new BindMessage { RequestId = "r1", Proto = "http" };
        if (!EndpointOptionsValidator.TryValidate(new EndpointOptions(), "http", out ValidatedEndpointOptions? options, out ProtocolError? error))
        {
            throw new InvalidOperationException(error.Message);
        }

        return new Tunnel("t_bench", "q.localhost", session, bind, options, new EdgeOptions());
    }
}
