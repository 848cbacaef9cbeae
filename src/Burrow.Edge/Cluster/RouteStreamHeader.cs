using System.Buffers.Binary;
using System.Text;

namespace Burrow.Edge.Cluster;

/// <summary>
/// What a node writes first on a node-link stream it opens to carry traffic to the node that holds the tunnel, and
/// what that node's relay listener reads first (behind <see cref="RelayListener"/>'s secret): the route, and the
/// original client as the entry node saw it, so the agent and its upstream see the client's address as for local
/// traffic.
/// </summary>
/// <remarks>
/// Layout: one version byte (1), one kind byte, then four strings, each a big-endian u16 length and UTF-8 bytes:
/// route key, client address (<c>ip:port</c>), scheme the client used (<c>http</c>/<c>https</c>), SNI (may be empty).
/// A handful of short fields: no JSON needed, and a malformed header is refused before any byte is relayed.
/// </remarks>
internal sealed record RouteStreamHeader(RouteStreamKind Kind, string Key, string ClientAddress, string Scheme, string ServerName)
{
    private const byte Version = 1;

    // Bounds a header a peer could make us buffer; a hostname is at most 253 bytes.
    private const int MaxField = 1024;

    public async ValueTask WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string[] fields = [Key, ClientAddress, Scheme, ServerName];
        int length = 2 + fields.Sum(f => 2 + Encoding.UTF8.GetByteCount(f));
        byte[] buffer = new byte[length];
        buffer[0] = Version;
        buffer[1] = (byte)Kind;
        int at = 2;
        foreach (string field in fields)
        {
            int count = Encoding.UTF8.GetBytes(field, buffer.AsSpan(at + 2));
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), checked((ushort)count));
            at += 2 + count;
        }

        await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a header; <see langword="null"/> when the stream ended first or the header is not one of ours.</summary>
    public static async ValueTask<RouteStreamHeader?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] head = new byte[2];
        if (!await ReadExactlyAsync(stream, head, cancellationToken).ConfigureAwait(false) || head[0] != Version
            || !Enum.IsDefined((RouteStreamKind)head[1]))
        {
            return null;
        }

        string[] fields = new string[4];
        byte[] length = new byte[2];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!await ReadExactlyAsync(stream, length, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            int count = BinaryPrimitives.ReadUInt16BigEndian(length);
            if (count > MaxField)
            {
                return null;
            }

            byte[] field = new byte[count];
            if (!await ReadExactlyAsync(stream, field, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            fields[i] = Encoding.UTF8.GetString(field);
        }

        return new RouteStreamHeader((RouteStreamKind)head[1], fields[0], fields[1], fields[2], fields[3]);
    }

    private static async ValueTask<bool> ReadExactlyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
