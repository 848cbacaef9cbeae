using Burrow.Acme.Challenges;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates;

/// <summary>
/// Pending ACME challenge answers in the control store (table <c>acme_challenges</c>), so whichever edge of a cluster
/// the CA's validation reaches answers it, not only the edge whose order asked. Publishing fails the order's attempt
/// when the store cannot be written (the CA would ask an edge that has no answer); withdrawing and looking up do not:
/// a row left behind expires, and a lookup that fails answers as if there were none.
/// </summary>
internal sealed partial class StoredChallengeAnswers(Func<IControlStore?> store, TimeProvider time, ILogger logger) : IChallengeShare
{
    // Longer than any authorization stays pending; a row its edge never withdrew (it died) goes after this.
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    // A validation waits for the database at most this long; the CA's own timeout is longer.
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(3);

    public async ValueTask PublishAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken)
    {
        if (store() is { } controlStore)
        {
            await controlStore.PublishAcmeChallengeAsync(type, key, keyAuthorization, time.GetUtcNow() + Lifetime, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask WithdrawAsync(string type, string key, string keyAuthorization, CancellationToken cancellationToken)
    {
        try
        {
            if (store() is { } controlStore)
            {
                await controlStore.WithdrawAcmeChallengeAsync(type, key, keyAuthorization, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is StoreException or InvalidOperationException)
        {
            LogWithdrawFailed(logger, type, key, ex.Message);
        }
    }

    public async ValueTask<IReadOnlyList<string>> FindAsync(string type, string key, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(LookupTimeout);
        try
        {
            return store() is { } controlStore ? await controlStore.FindAcmeChallengeAsync(type, key, bounded.Token).ConfigureAwait(false) : [];
        }
        catch (Exception ex) when (ex is StoreException or InvalidOperationException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogLookupFailed(logger, type, key, ex.Message);
            return [];
        }
    }

    [LoggerMessage(EventId = 5242, EventName = "AcmeChallengeWithdrawFailed", Level = LogLevel.Warning,
        Message = "Could not remove the {Type} answer for {Key} from the control store ({Reason}); it expires by itself within the hour")]
    private static partial void LogWithdrawFailed(ILogger logger, string type, string key, string reason);

    [LoggerMessage(EventId = 5243, EventName = "AcmeChallengeLookupFailed", Level = LogLevel.Warning,
        Message = "Could not look up the {Type} answer for {Key} in the control store ({Reason}); answered as having none (ERR_BURROW_5003: check the database given with --database)")]
    private static partial void LogLookupFailed(ILogger logger, string type, string key, string reason);
}
