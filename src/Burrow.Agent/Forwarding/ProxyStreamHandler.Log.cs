using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Forwarding;

internal sealed partial class ProxyStreamHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2000, EventName = "UnexpectedProxyStream", Level = LogLevel.Debug, Message = "Reset a proxy stream for unknown tunnel {TunnelId}")]
        public static partial void UnexpectedProxyStream(ILogger logger, string tunnelId);

        [LoggerMessage(EventId = 2001, EventName = "UpstreamUnreachable", Level = LogLevel.Warning, Message = "{Code}: {Reason}")]
        public static partial void UpstreamUnreachable(ILogger logger, string code, string reason);

        [LoggerMessage(EventId = 2002, EventName = "ClientTlsRefused", Level = LogLevel.Warning, Message = "{Code}: {Reason}")]
        public static partial void ClientTlsRefused(ILogger logger, string code, string reason);
    }
}
