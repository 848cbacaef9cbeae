namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// An HMAC scheme for a sender with no provider of its own: <paramref name="Header"/> holds
/// <paramref name="Prefix"/> followed by HMAC(secret, signed payload) written in <paramref name="Encoding"/>.
/// </summary>
/// <param name="Header">The header holding the signature, e.g. <c>X-Signature</c>.</param>
/// <param name="Algorithm"><c>sha1</c>, <c>sha256</c> or <c>sha512</c>.</param>
/// <param name="Encoding"><c>hex</c> or <c>base64</c>.</param>
/// <param name="Prefix">Text before the signature, e.g. <c>sha256=</c>; null or empty for none. Matched ignoring case.</param>
/// <param name="TimestampHeader">
/// Optional header holding a Unix time in seconds. When set, the signed payload is
/// <c>{timestamp}.{raw body}</c> (Stripe's and Standard Webhooks' convention) and the timestamp must be within
/// the tolerance; when null, the signed payload is the raw body.
/// </param>
public sealed record GenericHmacOptions(string Header, string Algorithm, string Encoding, string? Prefix, string? TimestampHeader = null);
