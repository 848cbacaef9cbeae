using System.Globalization;
using Burrow.Edge.Agents;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// Checks an agent's authtoken: first the tokens given on the command line or in a token file
/// (compared in fixed time), then the control store, by digest. A stored token that is revoked
/// or expired is refused with its own code; a store that cannot answer is reported as such, never
/// as a bad token.
/// </summary>
internal sealed partial class AgentAuthenticator
{
    private readonly AuthtokenSet _tokens;
    private readonly ControlPlane _plane;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AgentAuthenticator(AuthtokenSet tokens, ControlPlane plane, TimeProvider time, ILogger<AgentAuthenticator> logger)
    {
        _tokens = tokens;
        _plane = plane;
        _time = time;
        _logger = logger;
    }

    public async ValueTask<(AgentCredential? Credential, ProtocolError? Error)> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, ErrorCodes.MissingAuthtoken.ToError());
        }

        if (_tokens.TryMatch(token, out byte[] digest))
        {
            return (new AgentCredential(digest, null), null);
        }

        if (_plane.Store is not { } store)
        {
            return (null, ErrorCodes.InvalidAuthtoken.ToError());
        }

        Authtoken? stored;
        try
        {
            stored = await store.FindAuthtokenAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            Log.StoreFailed(_logger, ex.Message);
            return (null, ErrorCodes.StoreUnavailable.ToError("cannot check the authtoken"));
        }

        if (stored is null)
        {
            return (null, ErrorCodes.InvalidAuthtoken.ToError());
        }

        if (stored.IsRevoked)
        {
            return (null, ErrorCodes.AuthtokenRevoked.ToError());
        }

        if (stored.IsExpiredAt(_time.GetUtcNow()))
        {
            return (null, ErrorCodes.AuthtokenExpired.ToError(stored.ExpiresAt!.Value.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)));
        }

        return (new AgentCredential(digest, stored), null);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1620, EventName = "AuthStoreFailed", Level = LogLevel.Error, Message = "Could not check an authtoken in the control store: {Reason}")]
        public static partial void StoreFailed(ILogger logger, string reason);
    }
}
