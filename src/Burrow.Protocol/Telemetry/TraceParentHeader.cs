using System.Diagnostics;
using System.Text;

namespace Burrow.Protocol.Telemetry;

/// <summary>
/// The W3C <c>traceparent</c> header (<c>00-&lt;32 hex trace id&gt;-&lt;16 hex parent id&gt;-&lt;2 hex flags&gt;</c>) found
/// in a raw HTTP/1.x request head, read and re-parented in place: the agent pumps bytes rather than re-writing
/// requests, and a new parent id has the old one's length, so the head keeps its length and framing.
/// </summary>
public static class TraceParentHeader
{
    private const int ValueLength = 55;
    private const int ParentIdOffset = 36;

    private static ReadOnlySpan<byte> LineStart => "\r\ntraceparent:"u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Finds <c>traceparent</c> in the head at the start of <paramref name="data"/> (up to its blank line, which must be
    /// in <paramref name="data"/>), reads it into <paramref name="parent"/> and gives the offset of its parent id.
    /// </summary>
    /// <param name="data">Bytes that begin with a request line.</param>
    /// <param name="parent">The context the header carries.</param>
    /// <param name="parentIdOffset">Where in <paramref name="data"/> the 16 hex digits of the parent id start.</param>
    /// <returns>False when the head is not whole here, or has no valid version-00 <c>traceparent</c>.</returns>
    public static bool TryFind(ReadOnlySpan<byte> data, out ActivityContext parent, out int parentIdOffset)
    {
        parent = default;
        parentIdOffset = -1;
        int end = data.IndexOf(HeadEnd);
        if (end < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> head = data[..(end + 2)];
        int at = IndexOfIgnoreCase(head, LineStart);
        if (at < 0)
        {
            return false;
        }

        int value = at + LineStart.Length;
        while (value < head.Length && head[value] is (byte)' ' or (byte)'\t')
        {
            value++;
        }

        if (head.Length - value < ValueLength + 2 || head[value + ValueLength] is not ((byte)'\r' or (byte)' ' or (byte)'\t'))
        {
            return false;
        }

        string text = Encoding.ASCII.GetString(head.Slice(value, ValueLength));
        if (!text.StartsWith("00-", StringComparison.Ordinal) || !ActivityContext.TryParse(text, null, isRemote: true, out parent))
        {
            return false;
        }

        parentIdOffset = value + ParentIdOffset;
        return true;
    }

    /// <summary>Writes <paramref name="spanId"/> (16 lower-case hex digits) over the parent id found by <see cref="TryFind"/>.</summary>
    /// <param name="data">The same bytes.</param>
    /// <param name="parentIdOffset">From <see cref="TryFind"/>.</param>
    /// <param name="spanId">The new parent: the span of whoever passes the request on.</param>
    public static void Reparent(Span<byte> data, int parentIdOffset, ActivitySpanId spanId)
    {
        string hex = spanId.ToHexString();
        for (int i = 0; i < hex.Length; i++)
        {
            data[parentIdOffset + i] = (byte)hex[i];
        }
    }

    // Header lines only: a match must follow a line break (the name is case-insensitive).
    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lineStart)
    {
        int at = 0;
        while (true)
        {
            int next = head[at..].IndexOf("\r\n"u8);
            if (next < 0)
            {
                return -1;
            }

            at += next;
            if (head.Length - at >= lineStart.Length && Ascii.EqualsIgnoreCase(head.Slice(at, lineStart.Length), lineStart))
            {
                return at;
            }

            at += 2;
        }
    }
}
