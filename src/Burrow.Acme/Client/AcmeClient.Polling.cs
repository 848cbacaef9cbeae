using Burrow.Protocol.Errors;

namespace Burrow.Acme.Client;

/// <summary>
/// Waiting for the server (RFC 8555 section 7.5.1 and 7.4): POST-as-GET the resource until it leaves pending or
/// processing, sleeping for the server's Retry-After (clamped) or the poll interval, never longer in total than
/// <see cref="AcmeClientOptions.PollTimeout"/>. Waits go through the <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class AcmeClient
{
    /// <summary>Polls an authorization until it is valid; invalid becomes ERR_BURROW_5203 with the challenge's problem.</summary>
    public async Task<AcmeAuthorizationResource> WaitForAuthorizationAsync(Uri authorization, CancellationToken cancellationToken)
    {
        var authz = await PollAsync(authorization, AcmeJson.Default.AcmeAuthorizationResource, "authorization",
            a => a.Status is not "pending", cancellationToken).ConfigureAwait(false);
        if (authz.Status == "valid")
        {
            return authz;
        }

        var failed = authz.Challenges.FirstOrDefault(c => c.Status == "invalid");
        string detail = failed?.Error?.Describe() ?? $"the authorization is {authz.Status}";
        string name = authz.Wildcard ? "*." + authz.Identifier.Value : authz.Identifier.Value;
        throw new AcmeException(ErrorCodes.AcmeChallengeFailed,
            ErrorCodes.AcmeChallengeFailed.FormatMessage(name, failed?.Type ?? "any challenge", detail), failed?.Error);
    }

    /// <summary>Polls an order until it is ready (after its authorizations) or valid (after finalize); invalid becomes an error.</summary>
    public async Task<AcmeOrderResource> WaitForOrderAsync(Uri order, CancellationToken cancellationToken)
    {
        var resource = await PollAsync(order, AcmeJson.Default.AcmeOrderResource, "order",
            o => o.Status is not ("pending" or "processing"), cancellationToken).ConfigureAwait(false);
        if (resource.Status is "ready" or "valid")
        {
            return resource;
        }

        var problem = resource.Error ?? new AcmeProblem(null, $"the order is {resource.Status}", null, null, null);
        throw AcmeException.FromProblem(problem, "order", null);
    }

    private async Task<T> PollAsync<T>(
        Uri url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what, Func<T, bool> settled, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        while (true)
        {
            var (value, response) = await GetAsync(url, type, what, cancellationToken).ConfigureAwait(false);
            if (settled(value))
            {
                return value;
            }

            TimeSpan wait = RetryAfter.Wait(response.RetryAfter, _time.GetUtcNow(), _options.PollInterval, TimeSpan.FromMilliseconds(50), _options.MaxPollWait);
            TimeSpan elapsed = _time.GetElapsedTime(started);
            if (elapsed + wait > _options.PollTimeout)
            {
                throw new AcmeException(ErrorCodes.AcmeTimedOut, ErrorCodes.AcmeTimedOut.FormatMessage(what, url, _options.PollTimeout));
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
