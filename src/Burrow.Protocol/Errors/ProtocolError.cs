namespace Burrow.Protocol.Errors;

/// <summary>
/// The <c>error</c> object of the wire: a stable code such as <c>ERR_BURROW_2001</c> and a
/// sentence for people. Programs act on <see cref="Code"/>, never on <see cref="Message"/>.
/// </summary>
public sealed record ProtocolError
{
    /// <summary>The stable code, <c>ERR_BURROW_</c> and four digits; see <see cref="ErrorCodes"/>.</summary>
    public required string Code { get; init; }

    /// <summary>What went wrong, for people.</summary>
    public required string Message { get; init; }

    /// <summary>
    /// For a refusal that time lifts (too many failed authentications): seconds until trying again can succeed. An agent
    /// waits at least this long before it connects again. Absent for everything else (wire: <c>retry_after_s</c>).
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyName("retry_after_s")]
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The catalog entry for <see cref="Code"/>, or <see langword="null"/> for a code this build does not know.</summary>
    /// <returns>The catalog entry, when known.</returns>
    public ErrorCode? Lookup() => ErrorCodes.Find(Code);

    /// <summary>Formats the error as the one line users see: <c>ERR_BURROW_NNNN: message</c>.</summary>
    /// <returns>The code and message.</returns>
    public override string ToString() => $"{Code}: {Message}";
}
