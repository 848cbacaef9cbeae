namespace Burrow.Storage;

/// <summary>The kinds of audit event the edge writes. Kinds are free text; these are the ones Burrow uses.</summary>
public static class AuditKinds
{
    /// <summary>An account was created.</summary>
    public const string AccountCreated = "account.created";

    /// <summary>An account was deleted.</summary>
    public const string AccountDeleted = "account.deleted";

    /// <summary>An authtoken was created.</summary>
    public const string TokenCreated = "token.created";

    /// <summary>An authtoken was revoked.</summary>
    public const string TokenRevoked = "token.revoked";

    /// <summary>An API key was created.</summary>
    public const string ApiKeyCreated = "apikey.created";

    /// <summary>An API key was revoked.</summary>
    public const string ApiKeyRevoked = "apikey.revoked";

    /// <summary>A hostname was reserved.</summary>
    public const string DomainReserved = "domain.reserved";

    /// <summary>A reserved hostname was released.</summary>
    public const string DomainReleased = "domain.released";

    /// <summary>The operator pinned a traffic policy to a reserved hostname, or replaced it.</summary>
    public const string DomainPolicySet = "domain.policy_set";

    /// <summary>The operator cleared the traffic policy pinned to a reserved hostname.</summary>
    public const string DomainPolicyCleared = "domain.policy_cleared";

    /// <summary>The operator revoked a certificate the edge ordered (subject: its names).</summary>
    public const string CertificateRevoked = "certificate.revoked";

    /// <summary>A TCP port was reserved.</summary>
    public const string TcpAddressReserved = "tcp_address.reserved";

    /// <summary>A reserved TCP port was released.</summary>
    public const string TcpAddressReleased = "tcp_address.released";

    /// <summary>The operator pinned a traffic policy to a reserved TCP port, or replaced it.</summary>
    public const string TcpAddressPolicySet = "tcp_address.policy_set";

    /// <summary>The operator cleared the traffic policy pinned to a reserved TCP port.</summary>
    public const string TcpAddressPolicyCleared = "tcp_address.policy_cleared";

    /// <summary>An agent session was opened (address: the agent's).</summary>
    public const string SessionOpened = "session.opened";

    /// <summary>An agent was refused at authentication (detail: the error code).</summary>
    public const string SessionRefused = "session.refused";

    /// <summary>An agent session ended (detail: why).</summary>
    public const string SessionClosed = "session.closed";

    /// <summary>A tunnel was bound (hostname: its name or tcp URL).</summary>
    public const string TunnelBound = "tunnel.bound";

    /// <summary>A bind was refused (detail: the error code and reason).</summary>
    public const string TunnelRefused = "tunnel.refused";
}
