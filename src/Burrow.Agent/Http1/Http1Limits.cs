namespace Burrow.Agent.Http1;

/// <summary>What one parser may hold, so a connection's observation state stays bounded whatever the peer sends.</summary>
internal sealed record Http1Limits
{
    /// <summary>The defaults: Kestrel's 32 KiB head limit doubled, since the observer must not stop short of what the edge let through.</summary>
    public static Http1Limits Default { get; } = new();

    /// <summary>A head (or trailer section) larger than this stops observation of the connection.</summary>
    public int MaxHeadBytes { get; init; } = 64 * 1024;

    /// <summary>A longer line is kept cut to this many bytes (the rest still passes through untouched).</summary>
    public int MaxLineBytes { get; init; } = 8 * 1024;

    /// <summary>Chunk extensions longer than this stop observation (they are skipped, not kept).</summary>
    public int MaxChunkExtensionBytes { get; init; } = 4 * 1024;

    /// <summary>The defaults, keeping only what frames a message and decides the connection's reuse.</summary>
    public static Http1Limits FramingOnly { get; } = new() { FramingFieldsOnly = true };

    /// <summary>
    /// Keep only the fields that frame a message or decide persistence and upgrades (Content-Length,
    /// Transfer-Encoding, Connection, Upgrade) and leave out the request target and reason phrase.
    /// Every line is still checked as usual. For a parser that only follows exchanges (inspection
    /// off): a head then costs a few small strings instead of one per field.
    /// </summary>
    public bool FramingFieldsOnly { get; init; }
}
