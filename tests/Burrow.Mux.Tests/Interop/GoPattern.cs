namespace Burrow.Mux.Tests.Interop;

/// <summary>
/// The bytes yamuxpeer's 'G' command generates: byte i is (i*31+7) mod 251. It depends only on
/// i mod 251, so any run starting at offset o is a slice of one precomputed buffer, as in main.go.
/// </summary>
internal static class GoPattern
{
    public const int ChunkSize = 64 * 1024;

    private static readonly byte[] Buffer = [.. Enumerable.Range(0, ChunkSize + 251).Select(i => (byte)(((i * 31L) + 7) % 251))];

    /// <summary>The pattern bytes at [<paramref name="offset"/>, offset + <paramref name="count"/>); count ≤ <see cref="ChunkSize"/>.</summary>
    public static ReadOnlyMemory<byte> Slice(long offset, int count) => Buffer.AsMemory((int)(offset % 251), count);

    /// <summary>The first index where <paramref name="received"/> differs from the pattern at <paramref name="offset"/>, or -1.</summary>
    public static int Mismatch(long offset, ReadOnlySpan<byte> received)
    {
        for (var done = 0; done < received.Length; done += ChunkSize)
        {
            var part = received.Slice(done, Math.Min(ChunkSize, received.Length - done));
            var diff = part.CommonPrefixLength(Slice(offset + done, part.Length).Span);
            if (diff < part.Length)
            {
                return done + diff;
            }
        }

        return -1;
    }
}
