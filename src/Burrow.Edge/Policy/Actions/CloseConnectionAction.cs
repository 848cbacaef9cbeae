using Burrow.Edge.Policy.Loading;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>close-connection</c>: ends the client's connection without an answer. On HTTP/1.x the socket closes; on HTTP/2 and 3
/// the request's stream is reset (the connection carries other clients' requests only in theory, but other requests
/// of this client, which are not this rule's business).
/// </summary>
internal sealed class CloseConnectionAction : PolicyAction
{
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    private CloseConnectionAction(Microsoft.Extensions.Logging.ILogger logger)
    {
        _logger = logger;
    }

    public override string Type => "close-connection";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known();
        return new CloseConnectionAction(config.Services.Logger);
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        PolicyLog.ConnectionClosed(_logger, context);
        context.Http?.Abort();
        return new ValueTask<ActionResult>(ActionResult.Stop);
    }
}
