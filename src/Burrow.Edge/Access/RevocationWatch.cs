using System.Globalization;
using Burrow.Edge.Agents;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// Closes the sessions whose stored authtoken may no longer be used: every
/// <see cref="EdgeOptions.RevocationCheckInterval"/> it asks the store which of the live sessions'
/// tokens are revoked, expired or deleted — one query for all, whichever edge or admin client
/// revoked them, so it works the same for several edges sharing one PostgreSQL.
/// </summary>
internal sealed partial class RevocationWatch : BackgroundService
{
    private readonly ControlPlane _plane;
    private readonly SessionRegistry _sessions;
    private readonly EdgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RevocationWatch(ControlPlane plane, SessionRegistry sessions, EdgeOptions options, TimeProvider time, ILogger<RevocationWatch> logger)
    {
        _plane = plane;
        _sessions = sessions;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_plane.Store is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.RevocationCheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The edge is stopping.
        }
    }

    /// <summary>One pass: closes the sessions of every unusable token; returns how many were closed.</summary>
    public async Task<int> CheckOnceAsync(CancellationToken cancellationToken)
    {
        if (_plane.Store is not { } store)
        {
            return 0;
        }

        var byToken = _sessions.All
            .Where(s => !s.Expired && s.Credential.AuthtokenId is not null)
            .GroupBy(s => s.Credential.AuthtokenId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (byToken.Count == 0)
        {
            return 0;
        }

        IReadOnlyList<string> unusable;
        try
        {
            unusable = await store.FindUnusableAuthtokensAsync(byToken.Keys, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // Sessions stay up while the store is away: an outage must not cut every agent off.
            Log.CheckFailed(_logger, ex.Message);
            return 0;
        }

        int closed = 0;
        var closing = new List<Task>();
        foreach (string tokenId in unusable)
        {
            ProtocolError reason = await ReasonAsync(store, tokenId, cancellationToken).ConfigureAwait(false);
            foreach (AgentSession session in byToken[tokenId])
            {
                closed++;
                closing.Add(_sessions.CloseAsync(session, reason, cancellationToken));
            }
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
        return closed;
    }

    private async Task<ProtocolError> ReasonAsync(IControlStore store, string tokenId, CancellationToken cancellationToken)
    {
        try
        {
            Authtoken? token = await store.GetAuthtokenAsync(tokenId, cancellationToken).ConfigureAwait(false);
            if (token is { IsRevoked: false, ExpiresAt: { } expiry } && token.IsExpiredAt(_time.GetUtcNow()))
            {
                return ErrorCodes.AuthtokenExpired.ToError(expiry.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            }
        }
        catch (StoreException ex)
        {
            Log.CheckFailed(_logger, ex.Message);
        }

        // Revoked, or deleted with its account.
        return ErrorCodes.AuthtokenRevoked.ToError();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1630, EventName = "RevocationCheckFailed", Level = LogLevel.Warning, Message = "Could not check live sessions' authtokens: {Reason}")]
        public static partial void CheckFailed(ILogger logger, string reason);
    }
}
