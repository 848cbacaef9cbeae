using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Tests.Messages;

/// <summary>One filled-in example of every message type, with every optional field set.</summary>
internal static class ExampleMessages
{
    public static AuthMessage Auth { get; } = new()
    {
        ProtocolVersion = 1,
        Authtoken = "brw_4f9c2e1d8a7b",
        Agent = new AgentInfo { Name = "burrow", Version = "0.1.0", Os = "linux" },
        ResumeSessionId = "ses_7QK2M9",
        Features = [ProtocolFeatures.TunnelStats],
    };

    public static ControlMessage[] All { get; } =
    [
        Auth,
        new AuthResultMessage
        {
            SessionId = "ses_7QK2M9", ServerVersion = "0.1.0",
            HeartbeatIntervalMs = 10_000, HeartbeatTimeoutMs = 30_000, ResumeGraceMs = 60_000,
            Features = [ProtocolFeatures.TunnelStats],
            Error = ErrorCodes.InvalidAuthtoken.ToError(),
        },
        new BindMessage
        {
            RequestId = "7", TunnelName = "web", Proto = TunnelProtocols.Http,
            Hostname = "app.example.com", Subdomain = "demo", RemotePort = 8080, ForwardsTo = "http://localhost:8080",
            Options = new EndpointOptions
            {
                BasicAuth = ["alice:correct-horse"],
                CidrAllow = ["10.0.0.0/8", "2001:db8::/32"],
                CidrDeny = ["10.1.0.0/16"],
                RequestHeaderAdd = ["X-Env:dev"],
                RequestHeaderRemove = ["Cookie"],
                ResponseHeaderAdd = ["X-Frame-Options: DENY"],
                ResponseHeaderRemove = ["Server"],
                HostHeader = HostHeaderValues.Rewrite,
                UpstreamProtocol = UpstreamProtocols.Http2,
                Inspect = false,
            },
        },
        new BindResultMessage
        {
            RequestId = "7", TunnelId = "tun_01",
            Urls = ["https://demo.example.com", "http://demo.example.com"],
            Error = ErrorCodes.HostnameTaken.ToError("demo.example.com"),
        },
        new UnbindMessage { TunnelId = "tun_01" },
        new UnbindResultMessage { TunnelId = "tun_01", Error = ErrorCodes.InternalError.ToError("abc") },
        new NoticeMessage
        {
            Kind = NoticeKinds.TunnelEvicted, Message = "Evicted.", TunnelId = "tun_01",
            Error = ErrorCodes.EdgeDraining.ToError(),
        },
        new ProxyHeader
        {
            TunnelId = "tun_01", ClientAddr = "[2001:db8::7]:40000", Proto = TunnelProtocols.Tls,
            Sni = "app.example.com",
            Tls = new ProxyTlsInfo { Terminated = false, Version = "TLSv1.3", Alpn = "h2" },
        },
        new ProxyResultMessage
        {
            Error = ErrorCodes.UpstreamUnreachable.ToError("http://localhost:8080", "Connection refused"),
        },
        new TunnelStatsMessage
        {
            TunnelId = "tun_01", ConnsOpened = 6, ConnsClosed = 5, Requests = 30,
            ConnDurationsUs = [412_035, 388_190], RequestDurationsUs = [3_120, 2_480, 5_310],
        },
    ];

    public static TheoryData<string> AllTypes()
    {
        var data = new TheoryData<string>();
        foreach (var message in All)
        {
            data.Add(message.Type);
        }

        return data;
    }

    public static ControlMessage OfType(string type) => All.Single(m => m.Type == type);
}
