using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Burrow.Edge.Policy.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Connections.Features;

namespace Burrow.Edge.Policy.Variables;

/// <summary>
/// The names an expression may use, one environment per phase, with ngrok's spelling: <c>conn.*</c>, <c>endpoint.*</c>,
/// <c>time.now</c>, <c>vars.*</c> and <c>actions.ngrok.*</c> everywhere; <c>req.*</c> on the HTTP phases; <c>res.*</c>
/// on <c>on_http_response</c>. A name outside its phase does not compile, so a policy that could never work is refused
/// at bind time instead of failing requests.
/// </summary>
internal static class PolicyEnvironments
{
    public static CelEnvironment<PolicyContext> TcpConnect { get; } = Connection(new CelEnvironment<PolicyContext>());

    public static CelEnvironment<PolicyContext> HttpRequest { get; } = Request(Connection(new CelEnvironment<PolicyContext>()));

    public static CelEnvironment<PolicyContext> HttpResponse { get; } = Response(Request(Connection(new CelEnvironment<PolicyContext>())));

    public static CelEnvironment<PolicyContext> For(PolicyPhaseKind phase) => phase switch
    {
        PolicyPhaseKind.TcpConnect => TcpConnect,
        PolicyPhaseKind.HttpRequest => HttpRequest,
        _ => HttpResponse,
    };

    private static CelEnvironment<PolicyContext> Connection(CelEnvironment<PolicyContext> env) => env
        .AddVariable("conn.client_ip", static c => c.Client?.Address.ToString())
        .AddVariable("conn.client_port", static c => (long?)c.Client?.Port)
        .AddVariable("conn.server_ip", static c => c.Server?.Address.ToString())
        .AddVariable("conn.server_port", static c => (long?)c.Server?.Port)
        .AddVariable("conn.ts.start", static c => c.Started)
        .AddVariable("conn.tls.sni", static c => c.ServerName)
        .AddVariable("conn.tls.version", static c => TlsVersion(c))
        .AddVariable("conn.tls.client.subject", static c => ClientCertificate(c)?.Subject)
        .AddVariable("conn.tls.client.subject.common_name", static c => ClientCertificate(c)?.GetNameInfo(X509NameType.SimpleName, forIssuer: false))
        .AddVariable("conn.tls.client.issuer", static c => ClientCertificate(c)?.Issuer)
        .AddVariable("conn.tls.client.issuer.common_name", static c => ClientCertificate(c)?.GetNameInfo(X509NameType.SimpleName, forIssuer: true))
        .AddVariable("conn.tls.client.serial_number", static c => ClientCertificate(c)?.SerialNumber)
        .AddVariable("conn.tls.client.fingerprint.sha256", static c => ClientCertificate(c)?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant())
        .AddVariable("conn.tls.client.validity.not_before", static c => ClientCertificate(c) is { } cert ? new DateTimeOffset(cert.NotBefore.ToUniversalTime()) : null)
        .AddVariable("conn.tls.client.validity.not_after", static c => ClientCertificate(c) is { } cert ? new DateTimeOffset(cert.NotAfter.ToUniversalTime()) : null)
        .AddVariable("conn.tls.client.san.dns_names", static c => DnsNames(ClientCertificate(c)))
        .AddVariable("endpoint.id", static c => c.Tunnel.Id)
        .AddVariable("endpoint.name", static c => c.Tunnel.Name)
        .AddVariable("endpoint.url", static c => EndpointUrl(c))
        .AddVariable("endpoint.host", static c => EndpointHost(c))
        .AddVariable("endpoint.port", static c => (long?)c.Server?.Port)
        .AddVariable("endpoint.protocol", static c => EndpointScheme(c))
        .AddVariable("endpoint.scheme", static c => EndpointScheme(c))
        .AddVariable("time.now", static c => c.Tunnel.Session.Time.GetUtcNow())
        .AddVariable("vars", static c => c.Vars)
        .AddVariable("actions", static c => c.Actions);

    private static CelEnvironment<PolicyContext> Request(CelEnvironment<PolicyContext> env) => env
        .AddVariable("req.method", static c => c.Http!.Request.Method)
        .AddVariable("req.url", static c => RequestUrl(c.Http!.Request))
        .AddVariable("req.url.scheme", static c => c.Http!.Request.Scheme)
        .AddVariable("req.url.host", static c => c.Http!.Request.Host.Host)
        .AddVariable("req.url.authority", static c => c.Http!.Request.Host.Value)
        .AddVariable("req.url.port", static c => (long)(c.Http!.Request.Host.Port ?? (c.Http.Request.IsHttps ? 443 : 80)))
        .AddVariable("req.url.path", static c => PathOf(c.Http!.Request))
        .AddVariable("req.url.raw_path", static c => c.Http!.Features.Get<IHttpRequestFeature>()?.RawTarget is { } raw ? raw.Split('?', 2)[0] : PathOf(c.Http.Request))
        .AddVariable("req.url.query", static c => c.Http!.Request.QueryString.HasValue ? c.Http.Request.QueryString.Value![1..] : "")
        .AddVariable("req.url.query_params", static c => new QueryMap(c.Http!.Request.Query))
        .AddVariable("req.host", static c => c.Http!.Request.Host.Host)
        .AddVariable("req.headers", static c => new HeaderMap(c.Http!.Request.Headers))
        .AddVariable("req.cookies", static c => new CookieMap(c.Http!.Request.Cookies))
        .AddVariable("req.content_length", static c => c.Http!.Request.ContentLength ?? 0L)
        .AddVariable("req.content_type", static c => c.Http!.Request.ContentType ?? "")
        .AddVariable("req.version", static c => c.Http!.Request.Protocol)
        .AddVariable("req.user_agent", static c => c.Http!.Request.Headers.UserAgent.ToString())
        .AddVariable("req.user_agent.raw", static c => c.Http!.Request.Headers.UserAgent.ToString())
        .AddFunction("getReqHeader", 1, static (c, a) => HeaderMap.Values(c.Http!.Request.Headers, Name(a[0], "getReqHeader")))
        .AddFunction("hasReqHeader", 1, static (c, a) => c.Http!.Request.Headers.ContainsKey(Name(a[0], "hasReqHeader")))
        .AddFunction("getQueryParam", 1, static (c, a) => c.Http!.Request.Query.TryGetValue(Name(a[0], "getQueryParam"), out var v) ? new ValueList(v) : ValueList.Empty)
        .AddFunction("hasQueryParam", 1, static (c, a) => c.Http!.Request.Query.ContainsKey(Name(a[0], "hasQueryParam")))
        .AddFunction("getReqCookie", 1, static (c, a) => c.Http!.Request.Cookies.TryGetValue(Name(a[0], "getReqCookie"), out string? v) ? new ValueList(v) : ValueList.Empty)
        .AddFunction("hasReqCookie", 1, static (c, a) => c.Http!.Request.Cookies.ContainsKey(Name(a[0], "hasReqCookie")));

    private static CelEnvironment<PolicyContext> Response(CelEnvironment<PolicyContext> env) => env
        .AddVariable("res.status_code", static c => (long)c.Http!.Response.StatusCode)
        .AddVariable("res.headers", static c => new HeaderMap(c.Http!.Response.Headers))
        .AddVariable("res.content_type", static c => c.Http!.Response.ContentType ?? "")
        .AddVariable("res.content_length", static c => c.Http!.Response.ContentLength ?? 0L)
        .AddFunction("getResHeader", 1, static (c, a) => HeaderMap.Values(c.Http!.Response.Headers, Name(a[0], "getResHeader")))
        .AddFunction("hasResHeader", 1, static (c, a) => c.Http!.Response.Headers.ContainsKey(Name(a[0], "hasResHeader")));

    private static string Name(object? argument, string function) =>
        argument as string ?? throw new CelEvaluationException($"{function} takes a string, not {argument?.GetType().Name ?? "null"}");

    private static string PathOf(HttpRequest request) => request.PathBase.Value + request.Path.Value is { Length: > 0 } path ? path : "/";

    private static string RequestUrl(HttpRequest request) =>
        string.Concat(request.Scheme, "://", request.Host.Value, PathOf(request), request.QueryString.Value);

    // Only a certificate checked for this tunnel's name: on a reused connection Kestrel's may be another name's.
    private static X509Certificate2? ClientCertificate(PolicyContext context) =>
        context.Http is { } http ? Tls.HandshakeClientCertificate.ValidatedFor(http, context.Tunnel) : null;

    private static string? TlsVersion(PolicyContext context) =>
        context.Http?.Features.Get<ITlsHandshakeFeature>()?.Protocol switch
        {
            null => null,
            System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
            System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
            { } other => other.ToString(),
        };

    private static IReadOnlyList<object?> DnsNames(X509Certificate2? certificate)
    {
        if (certificate?.Extensions["2.5.29.17"] is not X509SubjectAlternativeNameExtension san)
        {
            return [];
        }

        return [.. san.EnumerateDnsNames()];
    }

    private static string EndpointScheme(PolicyContext context) => context.Tunnel.Proto switch
    {
        "http" => context.Http?.Request.IsHttps == true ? "https" : "http",
        { } proto => proto,
    };

    private static string EndpointHost(PolicyContext context) =>
        context.Tunnel.Proto == "tcp" && Uri.TryCreate(context.Tunnel.Hostname, UriKind.Absolute, out Uri? uri) ? uri.Host : context.Tunnel.Hostname;

    private static string EndpointUrl(PolicyContext context) => context.Tunnel.Proto switch
    {
        "http" => string.Create(CultureInfo.InvariantCulture, $"{EndpointScheme(context)}://{context.Tunnel.Hostname}"),
        "tls" => $"tls://{context.Tunnel.Hostname}",
        _ => context.Tunnel.Hostname,
    };
}
