namespace Burrow.Agent.Inspection;

/// <summary>
/// A captured body as the inspector shows it: the first bytes, up to the per-request limit, and how long
/// the whole body was. The inspector keeps a prefix and marks the cut rather than buffering what streams through.
/// </summary>
/// <param name="Kept">The kept prefix.</param>
/// <param name="Length">Bytes seen, kept or not.</param>
internal sealed record BodyCapture(ReadOnlyMemory<byte> Kept, long Length)
{
    public static BodyCapture Empty { get; } = new(ReadOnlyMemory<byte>.Empty, 0);

    /// <summary>Whether bytes past the limit were dropped.</summary>
    public bool Truncated => Length > Kept.Length;

    /// <summary>A whole body, cut to <paramref name="limit"/> bytes.</summary>
    public static BodyCapture From(byte[] body, int limit) => new(body.AsMemory(0, Math.Min(limit, body.Length)), body.Length);
}
