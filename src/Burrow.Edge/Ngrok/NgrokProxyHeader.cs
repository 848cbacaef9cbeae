using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// The start of a Proxy stream the edge opens to an ngrok client: the stream type (3, big-endian
/// u32), then an int64 <em>little</em>-endian length and that many bytes of JSON with the five fields
/// the clients require (the SDK fails on a missing one, and wants <c>EdgeType</c> as a string).
/// </summary>
internal static class NgrokProxyHeader
{
    public static byte[] Encode(string bindId, string clientAddress, string proto, bool passthroughTls)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("Id", bindId);
            writer.WriteString("ClientAddr", clientAddress);
            writer.WriteString("Proto", proto);
            writer.WriteString("EdgeType", "");
            writer.WriteBoolean("PassthroughTLS", passthroughTls);
            writer.WriteEndObject();
        }

        byte[] frame = new byte[4 + 8 + json.WrittenCount];
        BinaryPrimitives.WriteUInt32BigEndian(frame, NgrokStreamTypes.Proxy);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(4), json.WrittenCount);
        json.WrittenSpan.CopyTo(frame.AsSpan(12));
        return frame;
    }
}
