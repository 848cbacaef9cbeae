using Burrow.Protocol.Errors;

namespace Burrow.Acme.Client;

/// <summary>
/// An ACME request that failed for good: the catalog code says which kind (5201-5205; 5207-5208 for a DNS server's RFC 2136 updates), <see cref="Problem"/> holds
/// the server's problem document when there was one, <see cref="RetryAfter"/> the server's Retry-After.
/// </summary>
internal sealed class AcmeException : Exception
{
    public AcmeException(ErrorCode code, string message, AcmeProblem? problem = null, DateTimeOffset? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    public AcmeException()
        : this(ErrorCodes.AcmeUnreachable, "ACME request failed.")
    {
    }

    public AcmeException(string message)
        : this(ErrorCodes.AcmeUnreachable, message)
    {
    }

    public AcmeException(string message, Exception inner)
        : this(ErrorCodes.AcmeUnreachable, message, inner: inner)
    {
    }

    public ErrorCode Code { get; }

    public AcmeProblem? Problem { get; }

    public DateTimeOffset? RetryAfter { get; }

    /// <summary>The problem type URN, for example <c>urn:ietf:params:acme:error:rejectedIdentifier</c>.</summary>
    public string? ProblemType => Problem?.Type;

    /// <summary>Builds the exception for a problem document the server answered <paramref name="request"/> with.</summary>
    public static AcmeException FromProblem(AcmeProblem problem, string request, DateTimeOffset? retryAfter) =>
        problem.Is("rateLimited")
            ? new AcmeException(ErrorCodes.AcmeRateLimited,
                ErrorCodes.AcmeRateLimited.FormatMessage(problem.Describe(), retryAfter?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"),
                problem, retryAfter)
            : new AcmeException(ErrorCodes.AcmeProblem,
                ErrorCodes.AcmeProblem.FormatMessage(problem.Type ?? "about:blank", problem.Describe(), request), problem, retryAfter);
}
