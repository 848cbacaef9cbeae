using System.Buffers.Binary;
using System.Text;

namespace Burrow.Protocol.Tests.Codec;

/// <summary>Builds raw frames, including broken ones.</summary>
internal static class Frames
{
    public static byte[] Of(string json) => Of(Encoding.UTF8.GetBytes(json));

    public static byte[] Of(byte[] body) => [.. Prefix((uint)body.Length), .. body];

    public static byte[] Prefix(uint length)
    {
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, length);
        return prefix;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
