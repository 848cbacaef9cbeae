using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// The edge's handle on its control store: opened (and migrated) when the edge starts, before any
/// listener; once every listener is bound, an empty store gets the first account, authtoken and API key
/// (created earlier, a start that then fails to bind would lose secrets that are printed only once).
/// <see cref="Store"/> stays <see langword="null"/> for an edge without one (embedded in an agent).
/// </summary>
internal sealed partial class ControlPlane : IAsyncDisposable
{
    public const string FirstAccountName = "admin";

    private readonly EdgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ControlPlane(EdgeOptions options, TimeProvider time, ILogger<ControlPlane> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IControlStore? Store { get; private set; }

    /// <summary>What this start created in an empty store, to print once; otherwise <see langword="null"/>.</summary>
    public BootstrapCredentials? Bootstrap { get; private set; }

    /// <summary>The API key <see cref="EdgeOptions.CreateAdminApiKey"/> asked for on this start, to print once; otherwise <see langword="null"/>.</summary>
    public string? NewApiKey { get; private set; }

    /// <summary>How many stored authtokens are neither revoked nor expired, as of the last start; <see langword="null"/> without a store.</summary>
    public int? UsableAuthtokens { get; private set; }

    /// <summary>Opens the store and bootstraps it; failures become <see cref="InvalidOperationException"/> with the error code in the message.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!_options.UseControlStore || Store is not null)
        {
            return;
        }

        try
        {
            Store = await ControlStore.OpenAsync(new StoreOptions
            {
                Database = _options.Database,
                DataDirectory = _options.DataDirectory,
                Time = _time,
                SealingKey = LoadStoreKey,
            }, cancellationToken).ConfigureAwait(false);
            int version = await Store.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            Log.StoreOpened(_logger, Store.Kind, Store.Description, version);
        }
        catch (StoreException ex)
        {
            throw Describe(ex);
        }
    }

    /// <summary>
    /// The key private keys are sealed with in the store: <c>store.key</c> in the data directory, made on first use (the
    /// first ACME account or certificate), so a database dump alone holds no usable key. Edges sharing a database copy it.
    /// </summary>
    private byte[] LoadStoreKey()
    {
        (byte[] key, string? notKept) = Certificates.DataDirectoryKey.LoadOrCreate(_options.DataDirectory, Certificates.AcmeCertificates.StoreKeyFile);
        // A key for this process only would seal what no later start can open.
        return notKept is null ? key : throw new StoreException(StoreErrorKind.Invalid, $"The store key cannot be kept in {notKept}");
    }

    /// <summary>
    /// On an empty store, creates the first account, authtoken and API key (<see cref="Bootstrap"/>); otherwise
    /// counts the authtokens an agent could still use (<see cref="UsableAuthtokens"/>).
    /// </summary>
    public async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        if (Store is not { } store)
        {
            return;
        }

        try
        {
            Bootstrap = await BootstrapAsync(store, cancellationToken).ConfigureAwait(false);
            if (Bootstrap is null && _options.CreateAdminApiKey)
            {
                NewApiKey = await CreateApiKeyAsync(store, cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset now = _time.GetUtcNow();
            UsableAuthtokens = (await store.ListAuthtokensAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                .Count(t => !t.IsRevoked && !t.IsExpiredAt(now));
        }
        catch (StoreException ex)
        {
            throw Describe(ex);
        }
    }

    // The way back in when the first start's key was lost: a new key for the oldest account.
    private async Task<string> CreateApiKeyAsync(IControlStore store, CancellationToken cancellationToken)
    {
        Account account = (await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false)).OrderBy(a => a.CreatedAt).First();
        CreatedApiKey key = await store.CreateApiKeyAsync(account.Id, "server --new-admin-key", cancellationToken).ConfigureAwait(false);
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.ApiKeyCreated, AccountId = account.Id, Subject = key.Key.Name, Detail = "burrow server --new-admin-key" }, cancellationToken).ConfigureAwait(false);
        Log.ApiKeyCreated(_logger, account.Name, key.Key.Id);
        return key.Secret;
    }

    private static InvalidOperationException Describe(StoreException ex)
    {
        ErrorCode code = ex.Kind switch
        {
            StoreErrorKind.MigrationFailed => ErrorCodes.StoreMigrationFailed,
            StoreErrorKind.Invalid => ErrorCodes.DatabaseAddressInvalid,
            _ => ErrorCodes.StoreUnavailable,
        };
        return new InvalidOperationException(code.ToError(ex.Message.TrimEnd('.')).ToString(), ex);
    }

    private async Task<BootstrapCredentials?> BootstrapAsync(IControlStore store, CancellationToken cancellationToken)
    {
        if (await store.CountAccountsAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return null;
        }

        Account account;
        try
        {
            account = await store.CreateAccountAsync(FirstAccountName, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.Conflict)
        {
            // Another edge sharing the database bootstrapped it a moment ago.
            return null;
        }

        CreatedAuthtoken token = await store.CreateAuthtokenAsync(new NewAuthtoken { AccountId = account.Id, Name = "first" }, cancellationToken).ConfigureAwait(false);
        CreatedApiKey key = await store.CreateApiKeyAsync(account.Id, "first", cancellationToken).ConfigureAwait(false);
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.AccountCreated, AccountId = account.Id, Subject = account.Name, Detail = "first start" }, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.TokenCreated, AccountId = account.Id, AuthtokenId = token.Token.Id, Subject = token.Token.Name, Detail = "first start" }, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditEventAsync(new NewAuditEvent { Kind = AuditKinds.ApiKeyCreated, AccountId = account.Id, Subject = key.Key.Name, Detail = "first start" }, cancellationToken).ConfigureAwait(false);
        Log.Bootstrapped(_logger, account.Name, token.Token.Id, key.Key.Id);
        return new BootstrapCredentials(account.Name, token.Secret, key.Secret);
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is { } store)
        {
            Store = null;
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1600, EventName = "StoreOpened", Level = LogLevel.Information, Message = "Control store: {Kind} {Where}, schema version {Version}")]
        public static partial void StoreOpened(ILogger logger, StoreKind kind, string where, int version);

        [LoggerMessage(EventId = 1601, EventName = "StoreBootstrapped", Level = LogLevel.Warning, Message = "Empty control store: created account {Account}, authtoken {AuthtokenId} and API key {ApiKeyId} (secrets printed once)")]
        public static partial void Bootstrapped(ILogger logger, string account, string authtokenId, string apiKeyId);

        [LoggerMessage(EventId = 1602, EventName = "ApiKeyCreated", Level = LogLevel.Warning, Message = "Created API key {ApiKeyId} for account {Account} (--new-admin-key; secret printed once)")]
        public static partial void ApiKeyCreated(ILogger logger, string account, string apiKeyId);
    }
}
