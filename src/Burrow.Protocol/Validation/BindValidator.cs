using System.Diagnostics.CodeAnalysis;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>
/// Checks a <see cref="BindMessage"/> for everything that does not depend on the edge's state:
/// the protocol, the shape of the requested name or port, and the endpoint options. Whether the
/// name is free and the token may use it is the edge's question (<c>2001</c>, <c>2002</c>, <c>2005</c>).
/// </summary>
public static class BindValidator
{
    /// <summary>Validates a bind.</summary>
    /// <param name="bind">The bind request.</param>
    /// <param name="options">The parsed endpoint options, when the bind is valid.</param>
    /// <param name="error">
    /// The first problem found, when not: <c>ERR_BURROW_2006</c> for an unknown proto,
    /// <c>2003</c> for a bad subdomain, <c>2008</c> for a bad hostname, <c>2004</c> for anything else.
    /// </param>
    /// <returns>Whether the bind is valid.</returns>
    public static bool TryValidate(
        BindMessage bind,
        [NotNullWhen(true)] out ValidatedEndpointOptions? options,
        [NotNullWhen(false)] out ProtocolError? error)
    {
        ArgumentNullException.ThrowIfNull(bind);
        options = null;
        error = CheckShape(bind);
        if (error is not null)
        {
            return false;
        }

        if (bind.Subdomain is not null && !HostNames.TryValidateSubdomain(bind.Subdomain, out error))
        {
            return false;
        }

        if (bind.Hostname is not null && !HostNames.TryValidateHostname(bind.Hostname, out error))
        {
            return false;
        }

        return EndpointOptionsValidator.TryValidate(bind.Options, bind.Proto, out options, out error);
    }

    private static ProtocolError? CheckShape(BindMessage bind)
    {
        if (!TunnelProtocols.IsKnown(bind.Proto))
        {
            return ErrorCodes.UnknownProto.ToError(ErrorText.Clean(bind.Proto));
        }

        (string Option, string Reason)? problem =
            string.IsNullOrEmpty(bind.RequestId) ? ("request_id", "it is empty")
            : bind.Hostname is not null && bind.Subdomain is not null ? ("hostname", "give either hostname or subdomain, not both")
            : bind.Proto == TunnelProtocols.Tcp && bind.Hostname is not null ? ("hostname", "tcp tunnels are reached by port; omit hostname")
            : bind.Proto == TunnelProtocols.Tcp && bind.Subdomain is not null ? ("subdomain", "tcp tunnels are reached by port; omit subdomain")
            : bind.Proto != TunnelProtocols.Tcp && bind.RemotePort is not null ? ("remote_port", $"it applies to tcp tunnels only, not {bind.Proto}")
            : bind.RemotePort is < 1 or > 65535 ? ($"remote_port {bind.RemotePort}", "it must be between 1 and 65535")
            : null;
        return problem is { } p ? ErrorCodes.InvalidOptionValue.ToError(p.Option, p.Reason) : null;
    }
}
