using System.Net;
using Burrow.Edge.Policy.Variables;
using Burrow.Edge.Routing;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy;

/// <summary>
/// What a policy sees of one request or connection while its rules run: the tunnel, the HTTP exchange (absent on
/// <c>on_tcp_connect</c> of a tcp/tls tunnel), the variables <c>set-vars</c> wrote and the results actions left under
/// <c>actions.ngrok.*</c>. One per request, kept on the <see cref="HttpContext"/>'s features so the response phase sees what the
/// request phase set.
/// </summary>
internal sealed class PolicyContext
{
    private ResultMap? _vars;
    private ResultMap? _actions;

    public PolicyContext(Tunnel tunnel, TrafficPolicy policy, HttpContext? http, IPEndPoint? client, IPEndPoint? server, string? serverName, DateTimeOffset started)
    {
        Tunnel = tunnel;
        Policy = policy;
        Http = http;
        Client = client;
        Server = server;
        ServerName = serverName;
        Started = started;
    }

    public Tunnel Tunnel { get; }

    /// <summary>The tunnel's policy as it was when the request or connection came: every phase of it runs this one, even if the operator swaps the tunnel's meanwhile.</summary>
    public TrafficPolicy Policy { get; }

    /// <summary>The exchange on HTTP phases; <see langword="null"/> for a tcp/tls connection.</summary>
    public HttpContext? Http { get; }

    /// <summary>The client's address as the socket saw it (IPv4-mapped addresses unmapped); never a forwarded header.</summary>
    public IPEndPoint? Client { get; }

    public IPEndPoint? Server { get; }

    /// <summary>The TLS server name the client asked for, when it spoke TLS to the edge.</summary>
    public string? ServerName { get; }

    public DateTimeOffset Started { get; }

    /// <summary>The phase running now.</summary>
    public PolicyPhaseKind Phase { get; set; }

    /// <summary>The rule running now, for messages.</summary>
    public string RuleName { get; set; } = "";

    /// <summary><c>vars.*</c>: what set-vars wrote, in the order rules ran.</summary>
    public ResultMap Vars => _vars ??= new ResultMap();

    /// <summary><c>actions.ngrok.*</c>: each action's results by its type in snake case (<c>rate_limit</c>, <c>verify_webhook</c>).</summary>
    public ResultMap Actions => _actions ??= new ResultMap().Set("ngrok", new ResultMap());

    /// <summary>Records an action's results under <c>actions.ngrok.&lt;name&gt;</c>.</summary>
    public void SetResult(string action, ResultMap result) => ((ResultMap)Actions.Get("ngrok")!).Set(action, result);

    /// <summary>A compress-response of the request phase, applied when the agent's response headers arrive.</summary>
    public Actions.CompressResponseAction? Compression { get; set; }

    /// <summary>
    /// The compressor on the response, once one was put there: the server completes its own body, not ours, so the
    /// request handler ends the compressed stream when the forwarder is done.
    /// </summary>
    public Actions.CompressingResponseBody? CompressedBody { get; set; }

    // A feature rather than an item: looking one up allocates nothing, so requests of tunnels without a policy pay nothing.
    public static PolicyContext? Of(HttpContext context) => context.Features.Get<PolicyContext>();

    public void AttachTo(HttpContext context) => context.Features.Set(this);
}
