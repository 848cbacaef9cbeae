using Burrow.Protocol;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// The edge's handle on its control store: opened (and migrated) when the edge starts, before any
/// listener; on an empty store it creates the first account, authtoken and API key.
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
            }, cancellationToken).ConfigureAwait(false);
            int version = await Store.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            Log.StoreOpened(_logger, Store.Kind, Store.Description, version);
            Bootstrap = await BootstrapAsync(Store, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            ErrorCode code = ex.Kind switch
            {
                StoreErrorKind.MigrationFailed => ErrorCodes.StoreMigrationFailed,
                StoreErrorKind.Invalid => ErrorCodes.DatabaseAddressInvalid,
                _ => ErrorCodes.StoreUnavailable,
            };
            throw new InvalidOperationException(code.ToError(ex.Message.TrimEnd('.')).ToString(), ex);
        }
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
    }
}
