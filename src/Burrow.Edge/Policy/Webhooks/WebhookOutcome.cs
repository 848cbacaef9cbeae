namespace Burrow.Edge.Policy.Webhooks;

/// <summary>What a provider concluded about one delivery.</summary>
public enum WebhookOutcome
{
    /// <summary>A signature made with the configured secret covers this request.</summary>
    Verified,

    /// <summary>A header (or body field) the scheme requires is absent.</summary>
    MissingSignature,

    /// <summary>The signature is well formed but no signature in the request matches.</summary>
    BadSignature,

    /// <summary>The signature matches but its timestamp is outside the tolerance, in either direction.</summary>
    StaleTimestamp,

    /// <summary>The signature or timestamp cannot be read the way the scheme writes it.</summary>
    Malformed,
}
