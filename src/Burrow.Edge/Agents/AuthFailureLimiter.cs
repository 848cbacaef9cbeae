using System.Net;
using Burrow.Edge.Limits;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Agents;

/// <summary>
/// Limits failed agent authentications per client address, so that authtokens cannot be guessed
/// by trying many. Each failure counts in the address's window; while the window is full every
/// connection from the address is refused before its token is looked at. Successful agents count
/// nothing, so many agents behind one NAT are not limited. Failures count over a sliding minute
/// (<see cref="EdgeOptions.AuthFailuresPerMinute"/> of them) moving in 10 s steps.
/// </summary>
/// <remarks>
/// It sits in the agent connection handler, in front of whatever checks tokens, so it stays when
/// the token store moves (to a database). Its counts are the edge's <see cref="SlidingWindowCounts"/>:
/// on a node of a cluster a guesser's failures on every node count together.
/// </remarks>
internal sealed class AuthFailureLimiter
{
    private static readonly WindowShape Minute = new(TimeSpan.FromMinutes(1), 6);

    private readonly SlidingWindowCounts _counts;
    private readonly int _limit;

    public AuthFailureLimiter(EdgeOptions options, SlidingWindowCounts counts)
    {
        _limit = options.AuthFailuresPerMinute;
        _counts = counts;
    }

    /// <summary>
    /// Whether <paramref name="address"/> may try to authenticate now; when not, the refusal to send,
    /// with how long until it may try again.
    /// </summary>
    public ProtocolError? CheckAllowed(IPAddress address)
    {
        if (_limit <= 0 || _counts.Below(KeyOf(address), _limit, Minute, out TimeSpan retryAfter))
        {
            return null;
        }

        int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return ErrorCodes.TooManyAuthFailures.ToError(Normalize(address).ToString(), seconds) with { RetryAfterSeconds = seconds };
    }

    /// <summary>Counts one failed authentication from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress address)
    {
        if (_limit > 0)
        {
            _counts.Add(KeyOf(address), Minute);
        }
    }

    private static string KeyOf(IPAddress address) => "auth-failures\n" + Normalize(address);

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
