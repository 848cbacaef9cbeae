using System.Collections.Concurrent;
using System.Security.Cryptography;
using Burrow.Edge.Access;
using Burrow.Edge.Routing;
using Burrow.Mux.Frames;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Agents;

/// <summary>Agent sessions by id: attaches connections, keeps lost sessions for the resume grace period, then releases their tunnels.</summary>
internal sealed partial class SessionRegistry
{
    private static readonly TimeSpan LivenessProbe = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    // Taken only to admit a new session of a token with a session quota, so that two agents
    // connecting at once cannot both take the last place; nothing else is locked inside it.
    private readonly Lock _admitLock = new();
    private readonly EdgeOptions _options;
    private readonly TunnelRegistry _tunnels;
    private readonly AuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SessionRegistry(EdgeOptions options, TunnelRegistry tunnels, AuditTrail audit, TimeProvider time, ILogger<SessionRegistry> logger)
    {
        _options = options;
        _tunnels = tunnels;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public IEnumerable<AgentSession> All => _sessions.Values;

    public AgentSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    /// <summary>The live sessions (connected or within their grace period) opened with a stored authtoken.</summary>
    public IEnumerable<AgentSession> OfAuthtoken(string authtokenId) =>
        _sessions.Values.Where(s => !s.Expired && string.Equals(s.Credential.AuthtokenId, authtokenId, StringComparison.Ordinal));

    /// <summary>
    /// Attaches a newly authenticated connection: to the session it asks to resume when that is
    /// still held and was opened with the same token, else to a new session.
    /// </summary>
    /// <returns>
    /// The session, and whether a requested resume failed (the agent must bind again); or, with no
    /// session, the refusal when a new session would exceed the token's session quota.
    /// </returns>
    public async Task<(AgentSession? Session, bool Resumed, bool ResumeFailed, ProtocolError? Refusal)> AttachAsync(
        AuthMessage auth, AgentCredential credential, AgentLink link, CancellationToken cancellationToken)
    {
        byte[] tokenDigest = credential.Digest;
        string? resumeId = auth.ResumeSessionId;
        if (!string.IsNullOrEmpty(resumeId)
            && _sessions.TryGetValue(resumeId, out AgentSession? session)
            && CryptographicOperations.FixedTimeEquals(session.TokenDigest, tokenDigest))
        {
            AgentLink? old = session.Link;
            // The agent may notice a dead link before the edge does; a link that still answers a
            // ping belongs to another live agent process, which keeps it.
            if (old is null || !await old.IsAliveAsync(LivenessProbe, cancellationToken).ConfigureAwait(false))
            {
                lock (session.SyncRoot)
                {
                    if (!session.Expired)
                    {
                        session.ExpiryTimer?.Dispose();
                        session.ExpiryTimer = null;
                        session.SetLink(link);
                        Log.SessionResumed(_logger, session.Id, link.RemoteAddress);
                        if (old is not null)
                        {
                            _ = old.AbortAsync().AsTask();
                        }

                        return (session, true, false, null);
                    }
                }
            }
        }

        var created = new AgentSession(NameGenerator.Id("ses_"), credential, auth.Agent, link.RemoteAddress, _time)
        {
            // Kept only in the shape agents send (agt_ + hex): it goes into the routes table and the logs.
            AgentId = auth.AgentId is { Length: <= 64 } id && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? id : null,
        };
        created.SetLink(link);
        if (credential.Scopes.MaxSessions is { } max && credential.AuthtokenId is { } tokenId)
        {
            lock (_admitLock)
            {
                if (OfAuthtoken(tokenId).Count() >= max)
                {
                    return (null, false, false, ErrorCodes.SessionQuotaReached.ToError(max));
                }

                _sessions[created.Id] = created;
            }
        }
        else
        {
            _sessions[created.Id] = created;
        }

        Log.SessionStarted(_logger, created.Id, link.RemoteAddress, auth.Agent.Name, auth.Agent.Version);
        _audit.Write(new NewAuditEvent
        {
            Kind = AuditKinds.SessionOpened,
            AccountId = credential.AccountId,
            AuthtokenId = credential.AuthtokenId,
            SessionId = created.Id,
            Address = link.RemoteAddress,
            Detail = $"{auth.Agent.Name} {auth.Agent.Version} ({auth.Agent.Os})",
        });
        return (created, false, !string.IsNullOrEmpty(resumeId), null);
    }

    /// <summary>
    /// Ends a session now, connected or not, without a grace period (its authtoken was revoked):
    /// tells the agent why, releases its tunnels and closes its connection.
    /// </summary>
    public async Task CloseAsync(AgentSession session, ProtocolError reason, CancellationToken cancellationToken)
    {
        AgentLink? link;
        lock (session.SyncRoot)
        {
            if (session.Expired)
            {
                return;
            }

            session.Expired = true;
            session.ExpiryTimer?.Dispose();
            session.ExpiryTimer = null;
            link = session.Link;
            session.SetLink(null);
        }

        foreach (Tunnel tunnel in session.TakeAllTunnels())
        {
            _tunnels.Remove(tunnel);
        }

        _sessions.TryRemove(session.Id, out _);
        Log.SessionClosed(_logger, session.Id, reason.Code);
        WriteClosed(session, reason.ToString());
        if (link is not null)
        {
            await link.TrySendAsync(new NoticeMessage { Kind = NoticeKinds.SessionClosed, Message = "The edge closed this session.", Error = reason }, cancellationToken).ConfigureAwait(false);
            await link.CloseAsync(GoAwayCode.Normal, cancellationToken).ConfigureAwait(false);
        }
    }

    private void WriteClosed(AgentSession session, string why) =>
        _audit.Write(new NewAuditEvent
        {
            Kind = AuditKinds.SessionClosed,
            AccountId = session.Credential.AccountId,
            AuthtokenId = session.Credential.AuthtokenId,
            SessionId = session.Id,
            Address = session.RemoteAddress,
            Detail = why,
        });

    /// <summary>The connection ended: keep the session's tunnels for the grace period.</summary>
    public void Detach(AgentSession session, AgentLink link)
    {
        lock (session.SyncRoot)
        {
            if (!ReferenceEquals(session.Link, link))
            {
                return;
            }

            session.SetLink(null);
            session.ExpiryTimer?.Dispose();
            session.ExpiryTimer = _time.CreateTimer(static s => ((SessionRegistry)((object[])s!)[0]).Expire((AgentSession)((object[])s!)[1]),
                new object[] { this, session }, _options.ResumeGrace, Timeout.InfiniteTimeSpan);
        }

        Log.SessionDisconnected(_logger, session.Id, (long)_options.ResumeGrace.TotalSeconds);
    }

    /// <summary>Ends a session now (the edge is stopping, or the grace period passed).</summary>
    public void Expire(AgentSession session)
    {
        lock (session.SyncRoot)
        {
            if (session.Link is not null || session.Expired)
            {
                return;
            }

            session.Expired = true;
            session.ExpiryTimer?.Dispose();
            session.ExpiryTimer = null;
        }

        foreach (Tunnel tunnel in session.TakeAllTunnels())
        {
            _tunnels.Remove(tunnel);
        }

        _sessions.TryRemove(session.Id, out _);
        Log.SessionExpired(_logger, session.Id);
        WriteClosed(session, "ended (no resume within the grace period, or the edge stopped)");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, EventName = "SessionStarted", Level = LogLevel.Information, Message = "Agent session {SessionId} started from {RemoteAddress} ({AgentName} {AgentVersion})")]
        public static partial void SessionStarted(ILogger logger, string sessionId, string remoteAddress, string agentName, string agentVersion);

        [LoggerMessage(EventId = 1101, EventName = "SessionResumed", Level = LogLevel.Information, Message = "Agent session {SessionId} resumed from {RemoteAddress}")]
        public static partial void SessionResumed(ILogger logger, string sessionId, string remoteAddress);

        [LoggerMessage(EventId = 1102, EventName = "SessionDisconnected", Level = LogLevel.Information, Message = "Agent session {SessionId} disconnected; its tunnels stay reserved for {GraceSeconds} s")]
        public static partial void SessionDisconnected(ILogger logger, string sessionId, long graceSeconds);

        [LoggerMessage(EventId = 1104, EventName = "SessionClosed", Level = LogLevel.Warning, Message = "Agent session {SessionId} closed by the edge: {Code}")]
        public static partial void SessionClosed(ILogger logger, string sessionId, string code);

        [LoggerMessage(EventId = 1103, EventName = "SessionExpired", Level = LogLevel.Information, Message = "Agent session {SessionId} ended; its tunnels are released")]
        public static partial void SessionExpired(ILogger logger, string sessionId);
    }
}
