using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Inspection;

internal sealed partial class HttpExchangeObserver
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 6002, EventName = "ObservationStopped", Level = LogLevel.Warning,
            Message = "Tunnel {Tunnel}: the inspector stopped recording one connection (its bytes still pass): {Reason}")]
        public static partial void ObservationStopped(ILogger logger, string tunnel, string reason);
    }
}
