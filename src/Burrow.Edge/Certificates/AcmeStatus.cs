namespace Burrow.Edge.Certificates;

/// <summary>The ACME certificate's state: <c>pending</c> (none yet), <c>valid</c>, or <c>renewal-failing</c>, with the last error and the next attempt.</summary>
internal sealed record AcmeStatus(string State, DateTime? NotAfter, string? Error, DateTimeOffset? NextAttempt)
{
    /// <summary>Whether <c>/healthz</c> reports the edge degraded: public clients do not trust what it serves yet, or renewal keeps failing.</summary>
    public bool Degraded => State != "valid";
}
