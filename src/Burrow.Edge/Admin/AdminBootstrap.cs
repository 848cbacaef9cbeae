using Burrow.Edge.Certificates;
using Burrow.Storage;

namespace Burrow.Edge.Admin;

/// <summary>
/// Makes sure the admin API can be used on a fresh edge: when the store has no live API key, it
/// creates one (for the first account, created as <c>admin</c> if there is none), keeps it in
/// <c>admin-api-key</c> in the data directory (owner-only) for <c>burrow admin</c> on the same
/// machine, and hands it back to be printed once.
/// </summary>
internal static class AdminBootstrap
{
    public const string ApiKeyFileName = "admin-api-key";

    /// <returns>The new key's secret, or <see langword="null"/> when a live key existed already.</returns>
    public static async Task<string?> EnsureApiKeyAsync(IControlStore store, string dataDirectory, CancellationToken cancellationToken)
    {
        IReadOnlyList<ApiKey> keys = await store.ListApiKeysAsync(null, cancellationToken).ConfigureAwait(false);
        if (keys.Any(k => !k.IsRevoked))
        {
            return null;
        }

        IReadOnlyList<Account> accounts = await store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        Account account = accounts.Count > 0 ? accounts[0] : await store.CreateAccountAsync("admin", cancellationToken).ConfigureAwait(false);
        CreatedApiKey created = await store.CreateApiKeyAsync(account.Id, "bootstrap", cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(dataDirectory);
        OwnerOnlyFile.WriteAllText(Path.Combine(dataDirectory, ApiKeyFileName), created.Secret + "\n");
        await store.AppendAuditEventAsync(new NewAuditEvent
        {
            Kind = AuditKinds.ApiKeyCreated,
            AccountId = account.Id,
            Subject = created.Key.Id,
            Detail = "created on first start",
        }, cancellationToken).ConfigureAwait(false);
        return created.Secret;
    }
}
