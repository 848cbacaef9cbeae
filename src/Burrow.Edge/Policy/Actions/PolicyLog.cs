using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy.Actions;

/// <summary>The edge's log lines about what a policy did.</summary>
internal static partial class PolicyLog
{
    public static void ConnectionClosed(ILogger logger, PolicyContext context)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            string client = context.Client?.ToString() ?? "";
            ClosedByPolicy(logger, ErrorCodes.ConnectionClosedByPolicy.Code, context.Tunnel.Hostname, context.RuleName, client);
        }
    }

    [LoggerMessage(EventId = 3107, EventName = "ConnectionClosedByPolicy", Level = LogLevel.Information,
        Message = "{Code} the traffic policy of {Hostname} closed a connection from {Client} (rule {Rule})")]
    private static partial void ClosedByPolicy(ILogger logger, string code, string hostname, string rule, string client);

    [LoggerMessage(EventId = 3150, EventName = "PolicyLog", Level = LogLevel.Information,
        Message = "policy log {Hostname} rule {Rule}: {Metadata}")]
    public static partial void Metadata(ILogger logger, string hostname, string rule, string metadata);

    [LoggerMessage(EventId = 3106, EventName = "PolicyEvaluationFailed", Level = LogLevel.Warning,
        Message = "{Code} the traffic policy of {Hostname} failed: {Reason}")]
    public static partial void EvaluationFailed(ILogger logger, string code, string hostname, string reason);
}
