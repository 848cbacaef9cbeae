namespace Burrow.Edge.Policy.Webhooks;

/// <summary>How a scheme writes the signature bytes in its header.</summary>
internal enum SignatureEncoding
{
    /// <summary>Hex digits, either case.</summary>
    Hex,

    /// <summary>Standard base64 with padding.</summary>
    Base64,
}
