using Burrow.Edge.Errors;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Policy.Actions;

/// <summary><c>deny</c>: refuses the request with <c>status_code</c> (403), or closes the connection on <c>on_tcp_connect</c>.</summary>
internal sealed class DenyAction : PolicyAction
{
    private readonly int _status;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    private DenyAction(int status, Microsoft.Extensions.Logging.ILogger logger)
    {
        _status = status;
        _logger = logger;
    }

    public override string Type => "deny";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("status_code");
        return new DenyAction((int)(config.Integer("status_code", 100, 599) ?? 403), config.Services.Logger);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        if (context.Http is not { } http)
        {
            PolicyLog.ConnectionClosed(_logger, context);
            return ActionResult.Stop;
        }

        await ErrorResponder.WriteAsync(http, ErrorCodes.PolicyDenied, ErrorCodes.PolicyDenied.FormatMessage(context.RuleName), _status).ConfigureAwait(false);
        return ActionResult.Stop;
    }
}
