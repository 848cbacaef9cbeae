using Burrow.Protocol.Messages;
using YamlDotNet.RepresentationModel;

namespace Burrow.Cli.Config;

/// <summary>Collects an entry's policy from its keys (flat ngrok v2 keys or traffic_policy actions) into <see cref="EndpointOptions"/>.</summary>
internal sealed class OptionsBuilder
{
    public List<string> BasicAuth { get; } = [];

    public List<string> CidrAllow { get; } = [];

    public List<string> CidrDeny { get; } = [];

    public List<string> RequestHeaderAdd { get; } = [];

    public List<string> RequestHeaderRemove { get; } = [];

    public List<string> ResponseHeaderAdd { get; } = [];

    public List<string> ResponseHeaderRemove { get; } = [];

    public string? HostHeader { get; set; }

    public string? UpstreamProtocol { get; set; }

    public bool? Inspect { get; set; }

    /// <summary>The HSTS max-age in seconds (<c>hsts</c>); <see langword="null"/> for none.</summary>
    public long? HstsMaxAge { get; set; }

    public bool HstsIncludeSubdomains { get; set; }

    /// <summary>PEM text of the client CAs (<c>mutual_tls_cas</c>), already read from its file and checked.</summary>
    public string? MutualTlsCas { get; set; }

    /// <summary>The traffic_policy document as text for the edge; <see langword="null"/> for none.</summary>
    public string? TrafficPolicy { get; set; }

    /// <summary>Keys that only an http endpoint may use, with where they were set, for the check once the proto is known.</summary>
    public List<(string Key, YamlNode Node)> HttpOnly { get; } = [];

    public EndpointOptions Build(string proto) => new(Inspect ?? proto == TunnelProtocols.Http)
    {
        BasicAuth = BasicAuth,
        CidrAllow = CidrAllow,
        CidrDeny = CidrDeny,
        RequestHeaderAdd = RequestHeaderAdd,
        RequestHeaderRemove = RequestHeaderRemove,
        ResponseHeaderAdd = ResponseHeaderAdd,
        ResponseHeaderRemove = ResponseHeaderRemove,
        HostHeader = HostHeader,
        UpstreamProtocol = UpstreamProtocol,
        HstsMaxAge = HstsMaxAge,
        HstsIncludeSubdomains = HstsIncludeSubdomains,
        MutualTlsCas = MutualTlsCas,
        TrafficPolicy = TrafficPolicy,
    };
}
