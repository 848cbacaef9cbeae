using System.Net;
using Burrow.Edge.Policy.Actions;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy;

/// <summary>Runs a tcp or tls tunnel's <c>on_tcp_connect</c> rules for a connection just accepted.</summary>
internal static class ConnectionPolicy
{
    /// <summary>Whether the connection may go on; false when a rule closed it or failed (fail closed, logged).</summary>
    public static async ValueTask<bool> AllowsAsync(Tunnel tunnel, EndPoint? remote, EndPoint? local, string? serverName, ILogger logger)
    {
        if (tunnel.TrafficPolicy is not { OnTcpConnect.IsEmpty: false } policy)
        {
            return true;
        }

        var context = new PolicyContext(tunnel, policy, null, Unmapped(remote as IPEndPoint), Unmapped(local as IPEndPoint), serverName, tunnel.Session.Time.GetUtcNow());
        try
        {
            return await policy.RunAsync(PolicyPhaseKind.TcpConnect, context).ConfigureAwait(false) == ActionResult.Continue;
        }
        catch (PolicyEvaluationException ex)
        {
            PolicyLog.EvaluationFailed(logger, ErrorCodes.PolicyEvaluationFailed.Code, tunnel.Hostname, ex.Message);
            return false;
        }
    }

    /// <summary>An IPv4 client on a dual-stack socket as the IPv4 address it is, so <c>conn.client_ip</c> and CIDRs read naturally.</summary>
    public static IPEndPoint? Unmapped(IPEndPoint? endPoint) =>
        endPoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
