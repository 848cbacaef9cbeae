namespace Burrow.Protocol.Messages;

/// <summary>
/// Well-known values of <see cref="NoticeMessage.Kind"/>. The set is open: an agent shows the
/// message of a kind it does not know and otherwise ignores it.
/// </summary>
public static class NoticeKinds
{
    /// <summary>The edge is shutting down; reconnect (to another node) soon.</summary>
    public const string Draining = "draining";

    /// <summary>
    /// A cluster node is draining (<c>ERR_BURROW_5308</c>): open a leg on another node of the latest node list, bind the
    /// tunnels there, then close this session. An agent that does not know the kind shows it; the node cuts its session
    /// when the drain timeout runs out.
    /// </summary>
    public const string Move = "move";

    /// <summary>The edge removed one tunnel (<see cref="NoticeMessage.TunnelId"/>); it is no longer served.</summary>
    public const string TunnelEvicted = "tunnel_evicted";

    /// <summary>A quota of the account was reached or is close.</summary>
    public const string Quota = "quota";

    /// <summary>
    /// Sent right after a successful <see cref="AuthResultMessage"/> that could not resume the
    /// session the agent asked for (<c>ERR_BURROW_1004</c>): the agent must bind its tunnels again.
    /// </summary>
    public const string ResumeExpired = "resume_expired";

    /// <summary>
    /// The edge is closing the session because the agent broke the protocol;
    /// <see cref="NoticeMessage.Error"/> says how (an <c>ERR_BURROW_4xxx</c> code).
    /// </summary>
    public const string ProtocolError = "protocol_error";

    /// <summary>
    /// The edge is closing the session and releasing its tunnels, for the reason in
    /// <see cref="NoticeMessage.Error"/> (e.g. <c>ERR_BURROW_1005</c>, the authtoken was revoked).
    /// </summary>
    public const string SessionClosed = "session_closed";
}
