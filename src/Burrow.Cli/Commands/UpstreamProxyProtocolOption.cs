using System.CommandLine;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands;

/// <summary><c>--upstream-proxy-protocol 1|2</c>, shared by <c>burrow tcp</c> and <c>burrow tls</c>.</summary>
internal static class UpstreamProxyProtocolOption
{
    public static Option<string?> Create() => new("--upstream-proxy-protocol")
    {
        Description = "Send a PROXY protocol header (version 1 or 2) first on each upstream connection, so the upstream sees the client's address.",
    };

    /// <summary>The version asked for (null when the option is absent), or an <c>ERR_BURROW_2009</c> error.</summary>
    public static (int? Version, ProtocolError? Error) Parse(ParseResult parse, Option<string?> option)
    {
        string? value = parse.GetValue(option);
        if (value is null)
        {
            return (null, null);
        }

        return TunnelDefinition.TryParseProxyProtocol(value, out int version)
            ? (version, null)
            : (null, ErrorCodes.InvalidProxyProtocolVersion.ToError(value));
    }
}
