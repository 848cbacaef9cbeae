using System.Collections.Concurrent;
using System.Security.Cryptography;
using Burrow.Edge.Routing;
using Burrow.Protocol;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Agents;

/// <summary>Agent sessions by id: attaches connections, keeps lost sessions for the resume grace period, then releases their tunnels.</summary>
internal sealed partial class SessionRegistry
{
    private static readonly TimeSpan LivenessProbe = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly EdgeOptions _options;
    private readonly TunnelRegistry _tunnels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SessionRegistry(EdgeOptions options, TunnelRegistry tunnels, TimeProvider time, ILogger<SessionRegistry> logger)
    {
        _options = options;
        _tunnels = tunnels;
        _time = time;
        _logger = logger;
    }

    public IEnumerable<AgentSession> All => _sessions.Values;

    public AgentSession? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    /// <summary>
    /// Closes a session at the operator's request: tells the agent why, closes its connection and
    /// releases its tunnels at once (no resume grace). Returns false when there is no such session.
    /// </summary>
    public async Task<bool> CloseAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out AgentSession? session))
        {
            return false;
        }

        AgentLink? link;
        lock (session.SyncRoot)
        {
            session.Closing = true;
            link = session.Link;
        }

        if (link is not null)
        {
            await link.TrySendAsync(new NoticeMessage
            {
                Kind = NoticeKinds.SessionClosed,
                Message = "The edge operator closed this session.",
                Error = ErrorCodes.SessionClosedByAdmin.ToError(session.Id),
            }, cancellationToken).ConfigureAwait(false);
            await link.Mux.DisposeAsync().ConfigureAwait(false);
        }

        lock (session.SyncRoot)
        {
            session.SetLink(null);
        }

        Expire(session);
        Log.SessionClosedByOperator(_logger, session.Id);
        return true;
    }

    /// <summary>
    /// Attaches a newly authenticated connection: to the session it asks to resume when that is
    /// still held and was opened with the same token, else to a new session.
    /// </summary>
    /// <returns>The session, and whether a requested resume failed (the agent must bind again).</returns>
    public async Task<(AgentSession Session, bool Resumed, bool ResumeFailed)> AttachAsync(
        AuthMessage auth, byte[] tokenDigest, AgentLink link, CancellationToken cancellationToken)
    {
        string? resumeId = auth.ResumeSessionId;
        if (!string.IsNullOrEmpty(resumeId)
            && _sessions.TryGetValue(resumeId, out AgentSession? session)
            && CryptographicOperations.FixedTimeEquals(session.TokenDigest, tokenDigest))
        {
            AgentLink? old = session.Link;
            // The agent may notice a dead link before the edge does; a link that still answers a
            // ping belongs to another live agent process, which keeps it.
            if (old is null || !await IsAliveAsync(old, cancellationToken).ConfigureAwait(false))
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
                            _ = old.Mux.DisposeAsync().AsTask();
                        }

                        return (session, true, false);
                    }
                }
            }
        }

        var created = new AgentSession(NameGenerator.Id("ses_"), tokenDigest, auth.Agent, _time);
        created.SetLink(link);
        _sessions[created.Id] = created;
        Log.SessionStarted(_logger, created.Id, link.RemoteAddress, auth.Agent.Name, auth.Agent.Version);
        return (created, false, !string.IsNullOrEmpty(resumeId));
    }

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
            if (session.Closing)
            {
                // Closed by the operator: CloseAsync expires it; no grace period.
                return;
            }

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
    }

    private static async Task<bool> IsAliveAsync(AgentLink link, CancellationToken cancellationToken)
    {
        if (link.Mux.IsClosed)
        {
            return false;
        }

        try
        {
            await link.Mux.PingAsync(cancellationToken).WaitAsync(LivenessProbe, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, EventName = "SessionStarted", Level = LogLevel.Information, Message = "Agent session {SessionId} started from {RemoteAddress} ({AgentName} {AgentVersion})")]
        public static partial void SessionStarted(ILogger logger, string sessionId, string remoteAddress, string agentName, string agentVersion);

        [LoggerMessage(EventId = 1101, EventName = "SessionResumed", Level = LogLevel.Information, Message = "Agent session {SessionId} resumed from {RemoteAddress}")]
        public static partial void SessionResumed(ILogger logger, string sessionId, string remoteAddress);

        [LoggerMessage(EventId = 1102, EventName = "SessionDisconnected", Level = LogLevel.Information, Message = "Agent session {SessionId} disconnected; its tunnels stay reserved for {GraceSeconds} s")]
        public static partial void SessionDisconnected(ILogger logger, string sessionId, long graceSeconds);

        [LoggerMessage(EventId = 1104, EventName = "SessionClosedByOperator", Level = LogLevel.Information, Message = "Agent session {SessionId} closed through the admin API; its tunnels are released")]
        public static partial void SessionClosedByOperator(ILogger logger, string sessionId);

        [LoggerMessage(EventId = 1103, EventName = "SessionExpired", Level = LogLevel.Information, Message = "Agent session {SessionId} ended; its tunnels are released")]
        public static partial void SessionExpired(ILogger logger, string sessionId);
    }
}
