namespace Burrow.Storage;

/// <summary>
/// The edge's control plane data: accounts, authtokens, API keys, reserved domains and TCP
/// addresses, and audit events. One implementation serves SQLite and PostgreSQL alike; open one
/// with <see cref="ControlStore.OpenAsync"/>, which also brings the schema up to date.
/// </summary>
/// <remarks>
/// Secrets (authtokens, API keys) are returned once, by the call that creates them, and are stored
/// only as SHA-256 digests. Every method is safe to call concurrently. Failures of the database
/// itself surface as <see cref="StoreException"/> with <see cref="StoreErrorKind.Unavailable"/>;
/// a unique name taken twice as <see cref="StoreErrorKind.Conflict"/>; a missing owner or row as
/// <see cref="StoreErrorKind.NotFound"/>.
/// </remarks>
public interface IControlStore : IAsyncDisposable
{
    /// <summary>Which database this store uses.</summary>
    StoreKind Kind { get; }

    /// <summary>Where the data lives, with any password removed: a file path or <c>host:port/database</c>.</summary>
    string Description { get; }

    /// <summary>The schema version the database is at (the highest migration applied).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    // :: accounts

    /// <summary>Creates an account. Names are unique (case-insensitive): a taken one is a <see cref="StoreErrorKind.Conflict"/>.</summary>
    Task<Account> CreateAccountAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The account with this id, or <see langword="null"/>.</summary>
    Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Every account, oldest first.</summary>
    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken = default);

    /// <summary>Renames an account; returns the updated account or <see langword="null"/> when there is none with this id.</summary>
    Task<Account?> RenameAccountAsync(string accountId, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes an account with its authtokens, API keys and reservations (its audit events stay).
    /// Returns whether it existed. Sessions opened with its tokens are closed by the edge's revocation watch.
    /// </summary>
    Task<bool> DeleteAccountAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>How many accounts exist; the edge bootstraps the first one when this is 0.</summary>
    Task<int> CountAccountsAsync(CancellationToken cancellationToken = default);

    // :: authtokens

    /// <summary>Creates an authtoken for an account; the result holds the secret, the only time it is available.</summary>
    Task<CreatedAuthtoken> CreateAuthtokenAsync(NewAuthtoken request, CancellationToken cancellationToken = default);

    /// <summary>The authtoken with this id (revoked ones too), or <see langword="null"/>.</summary>
    Task<Authtoken?> GetAuthtokenAsync(string authtokenId, CancellationToken cancellationToken = default);

    /// <summary>Authtokens, oldest first: those of one account, or all when <paramref name="accountId"/> is <see langword="null"/>.</summary>
    Task<IReadOnlyList<Authtoken>> ListAuthtokensAsync(string? accountId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the authtoken a secret belongs to (revoked and expired ones included, so the caller
    /// can say which), by its digest; <see langword="null"/> when the secret is unknown.
    /// </summary>
    Task<Authtoken?> FindAuthtokenAsync(string secret, CancellationToken cancellationToken = default);

    /// <summary>Revokes an authtoken; returns it as revoked, or <see langword="null"/> when there is none with this id. Revoking twice keeps the first time.</summary>
    Task<Authtoken?> RevokeAuthtokenAsync(string authtokenId, CancellationToken cancellationToken = default);

    /// <summary>Replaces an authtoken's scopes; returns the updated token or <see langword="null"/>.</summary>
    Task<Authtoken?> UpdateAuthtokenScopesAsync(string authtokenId, AuthtokenScopes scopes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Of the given authtoken ids, those that may no longer be used at <paramref name="now"/>:
    /// revoked, expired, or deleted (with their account). The edge polls this for its live sessions.
    /// </summary>
    Task<IReadOnlyList<string>> FindUnusableAuthtokensAsync(IReadOnlyCollection<string> authtokenIds, DateTimeOffset now, CancellationToken cancellationToken = default);

    // :: API keys

    /// <summary>Creates an API key for the admin API; the result holds the secret, the only time it is available.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(string accountId, string name, CancellationToken cancellationToken = default);

    /// <summary>API keys, oldest first: those of one account, or all.</summary>
    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string? accountId = null, CancellationToken cancellationToken = default);

    /// <summary>Finds the API key a secret belongs to (revoked ones included), or <see langword="null"/>.</summary>
    Task<ApiKey?> FindApiKeyAsync(string secret, CancellationToken cancellationToken = default);

    /// <summary>Revokes an API key; returns it as revoked, or <see langword="null"/> when there is none with this id.</summary>
    Task<ApiKey?> RevokeApiKeyAsync(string apiKeyId, CancellationToken cancellationToken = default);

    // :: reserved domains

    /// <summary>
    /// Reserves a hostname (a subdomain of the base domain or a custom hostname, stored lowercase)
    /// for an account. A hostname reserved already is a <see cref="StoreErrorKind.Conflict"/>.
    /// </summary>
    Task<ReservedDomain> ReserveDomainAsync(string accountId, string hostname, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>The reservation of a hostname (case-insensitive), or <see langword="null"/>.</summary>
    Task<ReservedDomain?> FindReservedDomainAsync(string hostname, CancellationToken cancellationToken = default);

    /// <summary>Reserved domains, by hostname: those of one account, or all.</summary>
    Task<IReadOnlyList<ReservedDomain>> ListReservedDomainsAsync(string? accountId = null, CancellationToken cancellationToken = default);

    /// <summary>The reservation with this id, or <see langword="null"/>.</summary>
    Task<ReservedDomain?> GetReservedDomainAsync(string reservedDomainId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pins the operator's traffic policy (its text, stored as given) to a reserved hostname, or clears it with
    /// <see langword="null"/>. Returns the updated reservation, or <see langword="null"/> when there is none with this id.
    /// The store does not read the document: the caller checks it first.
    /// </summary>
    Task<ReservedDomain?> SetDomainTrafficPolicyAsync(string reservedDomainId, string? trafficPolicy, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation by id; returns whether it existed.</summary>
    Task<bool> ReleaseDomainAsync(string reservedDomainId, CancellationToken cancellationToken = default);

    // :: reserved TCP addresses

    /// <summary>Reserves a TCP port of the edge for an account. A port reserved already is a <see cref="StoreErrorKind.Conflict"/>.</summary>
    Task<ReservedTcpAddress> ReserveTcpAddressAsync(string accountId, int port, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>The reservation of a port, or <see langword="null"/>.</summary>
    Task<ReservedTcpAddress?> FindReservedTcpAddressAsync(int port, CancellationToken cancellationToken = default);

    /// <summary>Reserved TCP addresses, by port: those of one account, or all.</summary>
    Task<IReadOnlyList<ReservedTcpAddress>> ListReservedTcpAddressesAsync(string? accountId = null, CancellationToken cancellationToken = default);

    /// <summary>The reserved TCP address with this id, or <see langword="null"/>.</summary>
    Task<ReservedTcpAddress?> GetReservedTcpAddressAsync(string reservedTcpAddressId, CancellationToken cancellationToken = default);

    /// <summary>Pins the operator's traffic policy to a reserved TCP address, or clears it with <see langword="null"/>; as <see cref="SetDomainTrafficPolicyAsync"/>.</summary>
    Task<ReservedTcpAddress?> SetTcpAddressTrafficPolicyAsync(string reservedTcpAddressId, string? trafficPolicy, CancellationToken cancellationToken = default);

    /// <summary>Releases a reserved TCP address by id; returns whether it existed.</summary>
    Task<bool> ReleaseTcpAddressAsync(string reservedTcpAddressId, CancellationToken cancellationToken = default);

    // :: audit events

    /// <summary>Appends an audit event; returns it with its id and time.</summary>
    Task<AuditEvent> AppendAuditEventAsync(NewAuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends several audit events in one transaction (one disk flush for all): all are stored or
    /// none. Returns how many were stored.
    /// </summary>
    Task<int> AppendAuditEventsAsync(IReadOnlyList<NewAuditEvent> auditEvents, CancellationToken cancellationToken = default);

    /// <summary>Audit events matching the filter, newest first, at most <see cref="AuditQuery.Limit"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> QueryAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken = default);

    // :: certificates and ACME accounts (shared by every edge of a cluster)

    /// <summary>The ACME account for a CA's directory URL, its key opened, or <see langword="null"/>.</summary>
    /// <exception cref="StoreException"><see cref="StoreErrorKind.CannotUnseal"/> when another store key sealed it.</exception>
    Task<AcmeAccountRecord?> GetAcmeAccountAsync(string directoryUrl, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the account key for a directory URL unless one is stored already, and returns the stored one: when two
    /// edges create a key at once, both end up using the first.
    /// </summary>
    Task<AcmeAccountRecord> AddAcmeAccountAsync(string directoryUrl, string keyPem, string? accountUrl, string? contact, CancellationToken cancellationToken = default);

    /// <summary>Records the account's URL at the CA and its contact.</summary>
    Task UpdateAcmeAccountAsync(string directoryUrl, string? accountUrl, string? contact, CancellationToken cancellationToken = default);

    /// <summary>The certificate stored for these names (in any order), its private key opened, or <see langword="null"/>.</summary>
    /// <exception cref="StoreException"><see cref="StoreErrorKind.CannotUnseal"/> when another store key sealed it.</exception>
    Task<StoredCertificate?> GetCertificateAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default);

    /// <summary>Every stored certificate (and certificate still being attempted), by names, without private keys.</summary>
    Task<IReadOnlyList<StoredCertificate>> ListCertificatesAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a certificate for its names, replacing the one there, sealing its key; clears the last error.</summary>
    Task<StoredCertificate> SaveCertificateAsync(NewCertificate certificate, CancellationToken cancellationToken = default);

    /// <summary>Records a failed (or, with a <see langword="null"/> error, an uneventful) attempt to order for these names, and when the next one is due.</summary>
    Task RecordCertificateAttemptAsync(IReadOnlyList<string> names, string? directoryUrl, string? lastError, DateTimeOffset? nextAttempt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the certificate stored for these names as revoked when its serial is <paramref name="serial"/> (hex, any
    /// case), so every edge replaces it at once; <see langword="false"/> when the row holds another certificate or none.
    /// </summary>
    Task<bool> RecordCertificateRevokedAsync(IReadOnlyList<string> names, string serial, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes, or extends, the lease that lets one holder (an edge process) order a certificate for these names until
    /// <paramref name="duration"/> from now. Returns <see langword="false"/> while another holder's lease runs.
    /// </summary>
    Task<bool> TryTakeCertificateLeaseAsync(IReadOnlyList<string> names, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up, if this holder has it.</summary>
    Task ReleaseCertificateLeaseAsync(IReadOnlyList<string> names, string holder, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a pending ACME challenge's key authorization until <paramref name="expires"/>, so any edge sharing this
    /// store answers the CA's validation: <paramref name="key"/> is the token (http-01), the name (tls-alpn-01) or the
    /// record name <c>_acme-challenge.NAME</c> (dns-01). Publishing again extends it.
    /// </summary>
    Task PublishAcmeChallengeAsync(string type, string key, string keyAuthorization, DateTimeOffset expires, CancellationToken cancellationToken = default);

    /// <summary>Removes a published challenge answer (its authorization is done).</summary>
    Task WithdrawAcmeChallengeAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken = default);

    /// <summary>The key authorizations published for a challenge and not yet expired (several for one dns-01 record name).</summary>
    Task<IReadOnlyList<string>> FindAcmeChallengeAsync(string type, string key, CancellationToken cancellationToken = default);

    // :: cluster (PostgreSQL only: SQLite answers StoreErrorKind.Invalid, a cluster needs a shared database)

    /// <summary>
    /// Writes a node's heartbeat: creates its row, renews the lease of the instance that holds it, or takes over a name
    /// whose lease has run out (times by the database's clock). Returns <see langword="false"/>, changing nothing, while
    /// another instance's lease on the name runs. A node that joins (or takes a name over) is announced on
    /// <c>NOTIFY burrow_nodes</c>.
    /// </summary>
    Task<bool> HeartbeatNodeAsync(NodeHeartbeat heartbeat, CancellationToken cancellationToken = default);

    /// <summary>Every node row, live or not (<see cref="NodeRecord.Live"/> by the database's clock), by name.</summary>
    Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a node's row if <paramref name="instanceId"/> still holds it (a clean stop), announced on <c>burrow_nodes</c>.</summary>
    Task LeaveNodeAsync(string name, string instanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a live node draining (<c>burrow admin nodes drain</c>), announced on <c>burrow_nodes</c> so the node itself
    /// starts its drain and the others stop advertising it at once. <see langword="false"/> when no live node has the name.
    /// </summary>
    Task<bool> DrainNodeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The cluster CA: the stored one, or <paramref name="create"/>'s, stored (key sealed) by the first node to ask; when
    /// two ask at once both get the one stored first.
    /// </summary>
    /// <exception cref="StoreException"><see cref="StoreErrorKind.CannotUnseal"/> when another store key sealed it.</exception>
    Task<ClusterAuthorityRecord> GetOrCreateClusterAuthorityAsync(Func<ClusterAuthorityRecord> create, CancellationToken cancellationToken = default);

    /// <summary>
    /// Listens on a notification channel (PostgreSQL <c>LISTEN</c>) on a connection of its own, calling
    /// <paramref name="onListening"/> once listening and <paramref name="onNotification"/> with each payload, until
    /// cancelled; a lost connection ends it with <see cref="StoreErrorKind.Unavailable"/> (the caller reloads and listens again).
    /// </summary>
    Task ListenAsync(string channel, Action onListening, Action<string> onNotification, CancellationToken cancellationToken);
}
