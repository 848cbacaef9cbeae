using System.Net;
using System.Threading.RateLimiting;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Agents;

/// <summary>
/// Limits failed agent authentications per client address, so that authtokens cannot be guessed
/// by trying many. Each failure takes a permit from the address's window; while none is left
/// every connection from the address is refused before its token is
/// looked at. Successful agents take nothing, so many agents behind one NAT are not limited.
/// Failures count over a sliding minute (<see cref="EdgeOptions.AuthFailuresPerMinute"/> of them).
/// </summary>
/// <remarks>
/// It sits in the agent connection handler, in front of whatever checks tokens, so it stays when
/// the token store moves (to a database). The buckets keep their own clock: rate limiting's
/// windows are timer driven and have no <see cref="TimeProvider"/> hook.
/// </remarks>
internal sealed class AuthFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress>? _limiter;

    public AuthFailureLimiter(EdgeOptions options)
    {
        if (options.AuthFailuresPerMinute <= 0)
        {
            return;
        }

        // A sliding window: a failure counts for a whole minute, so a guesser gets N tries a minute
        // and no more however it spaces them; the window moves on in 10 s steps.
        var window = new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.AuthFailuresPerMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(
            address => RateLimitPartition.GetSlidingWindowLimiter(address, _ => window));
    }

    /// <summary>
    /// Whether <paramref name="address"/> may try to authenticate now; when not, the refusal to send,
    /// with how long until it may try again.
    /// </summary>
    public ProtocolError? CheckAllowed(IPAddress address)
    {
        if (_limiter is null)
        {
            return null;
        }

        // Zero permits asks "is any left?" without taking one.
        using RateLimitLease lease = _limiter.AttemptAcquire(Normalize(address), 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        int seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 10;
        return ErrorCodes.TooManyAuthFailures.ToError(Normalize(address).ToString(), seconds);
    }

    /// <summary>Counts one failed authentication from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress address)
    {
        // The lease is empty either way; a failure past the limit has nothing left to take.
        _limiter?.AttemptAcquire(Normalize(address), 1).Dispose();
    }

    public void Dispose() => _limiter?.Dispose();

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
