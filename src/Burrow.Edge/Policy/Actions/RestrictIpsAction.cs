using System.Net;
using Burrow.Edge.Errors;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Policy.Variables;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>restrict-ips</c>: the connection's address (the socket's, never X-Forwarded-For) against <c>allow</c> and
/// <c>deny</c> CIDRs; deny wins, and an allow list lets in only what it names. Refused → 403 ERR_BURROW_3006, or the
/// connection closed on <c>on_tcp_connect</c>; with <c>enforce: false</c> the result is only recorded.
/// </summary>
internal sealed class RestrictIpsAction : PolicyAction
{
    private readonly IPNetwork[] _allow;
    private readonly IPNetwork[] _deny;
    private readonly bool _enforce;
    private readonly ILogger _logger;

    private RestrictIpsAction(IPNetwork[] allow, IPNetwork[] deny, bool enforce, ILogger logger)
    {
        _allow = allow;
        _deny = deny;
        _enforce = enforce;
        _logger = logger;
    }

    public override string Type => "restrict-ips";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("allow", "deny", "enforce", "ip_policies");
        if (config.Has("ip_policies"))
        {
            config.Error("ip_policies", "IP policies by reference live in ngrok's cloud; list the CIDRs in allow and deny instead");
        }

        IPNetwork[] allow = Cidrs(config, "allow");
        IPNetwork[] deny = Cidrs(config, "deny");
        if (allow.Length == 0 && deny.Length == 0)
        {
            config.Error("", "give allow or deny (a list of CIDRs)");
        }

        return new RestrictIpsAction(allow, deny, config.Boolean("enforce") ?? true, config.Services.Logger);
    }

    private static IPNetwork[] Cidrs(ActionConfig config, string key)
    {
        var list = new List<IPNetwork>();
        IReadOnlyList<string> texts = config.Strings(key) ?? [];
        for (int i = 0; i < texts.Count; i++)
        {
            if (CidrNotation.TryParse(texts[i], out IPNetwork network, out ProtocolError? error, key))
            {
                list.Add(network);
            }
            else
            {
                config.Error($"{key}[{i}]", error.Message);
            }
        }

        return [.. list];
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        IPAddress? address = context.Client?.Address;
        bool allowed = address is not null && IsAllowed(address);
        context.SetResult(ResultName, new ResultMap().Set("allowed", allowed));
        if (allowed || !_enforce)
        {
            return ActionResult.Continue;
        }

        if (context.Http is not { } http)
        {
            PolicyLog.ConnectionClosed(_logger, context);
            return ActionResult.Stop;
        }

        await ErrorResponder.WriteAsync(http, ErrorCodes.IpDenied, ErrorCodes.IpDenied.FormatMessage(address?.ToString() ?? "unknown")).ConfigureAwait(false);
        return ActionResult.Stop;
    }

    private bool IsAllowed(IPAddress address)
    {
        foreach (IPNetwork network in _deny)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        if (_allow.Length == 0)
        {
            return true;
        }

        foreach (IPNetwork network in _allow)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
