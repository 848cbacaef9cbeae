namespace Burrow.Edge.Policy;

/// <summary>The three phases of a traffic policy document.</summary>
internal enum PolicyPhaseKind
{
    /// <summary><c>on_tcp_connect</c>: a connection arrived (tcp/tls tunnels; http tunnels per request, before the request phase).</summary>
    TcpConnect,

    /// <summary><c>on_http_request</c>: a request arrived and has not gone to the agent yet.</summary>
    HttpRequest,

    /// <summary><c>on_http_response</c>: the agent's response headers arrived and the body has not gone to the client yet.</summary>
    HttpResponse,
}
