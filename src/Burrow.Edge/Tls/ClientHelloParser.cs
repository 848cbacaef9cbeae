using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Burrow.Edge.Tls;

/// <summary>What <c>ClientHelloParser.TryParse</c> made of the bytes read so far.</summary>
internal enum ClientHelloStatus
{
    /// <summary>A TLS handshake record that is not whole yet: read more.</summary>
    NeedMore,

    /// <summary>A whole ClientHello; the server name, if any, was returned.</summary>
    Complete,

    /// <summary>Not a TLS ClientHello, or one larger than the edge reads before routing.</summary>
    Invalid,
}

/// <summary>
/// Reads the SNI <c>server_name</c> of a TLS ClientHello from the first bytes of a connection, without
/// terminating TLS, and whether its ALPN offers only <c>acme-tls/1</c> (an RFC 8737 validation: Kestrel's handshake
/// callback does not show the offered protocols). Only the first record is read (at most <see cref="MaxRecordLength"/> bytes of payload).
/// </summary>
internal static class ClientHelloParser
{
    /// <summary>The largest TLS plaintext record (2^14 bytes).</summary>
    public const int MaxRecordLength = 16 * 1024;

    /// <summary>The most bytes the parser ever needs: a record header and the largest record.</summary>
    public const int MaxBytes = 5 + MaxRecordLength;

    private static ReadOnlySpan<byte> AcmeTls => "acme-tls/1"u8;

    public static ClientHelloStatus TryParse(ReadOnlySequence<byte> data, out string? serverName) => TryParse(data, out serverName, out _);

    public static ClientHelloStatus TryParse(ReadOnlySequence<byte> data, out string? serverName, out bool onlyAcmeTls)
    {
        if (data.IsSingleSegment)
        {
            return TryParse(data.FirstSpan, out serverName, out onlyAcmeTls);
        }

        int length = (int)Math.Min(data.Length, MaxBytes);
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(copy);
            return TryParse(copy.AsSpan(0, length), out serverName, out onlyAcmeTls);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, out string? serverName) => TryParse(data, out serverName, out _);

    /// <param name="data">The first bytes of the connection.</param>
    /// <param name="serverName">The SNI host name, lowercase, or <see langword="null"/>.</param>
    /// <param name="onlyAcmeTls">Whether the ALPN extension lists exactly one protocol, <c>acme-tls/1</c>.</param>
    public static ClientHelloStatus TryParse(ReadOnlySpan<byte> data, out string? serverName, out bool onlyAcmeTls)
    {
        serverName = null;
        onlyAcmeTls = false;
        if (data.Length == 0)
        {
            return ClientHelloStatus.NeedMore;
        }

        // Record: type 22 (handshake), version 3.x, length.
        if (data[0] != 22 || (data.Length >= 2 && data[1] != 3))
        {
            return ClientHelloStatus.Invalid;
        }

        if (data.Length < 5)
        {
            return ClientHelloStatus.NeedMore;
        }

        int recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (recordLength is 0 or > MaxRecordLength)
        {
            return ClientHelloStatus.Invalid;
        }

        if (data.Length < 5 + recordLength)
        {
            return ClientHelloStatus.NeedMore;
        }

        var reader = new Reader(data.Slice(5, recordLength));
        // Handshake: type 1 (client_hello), 24-bit length.
        if (!reader.Byte(out int handshakeType) || handshakeType != 1 || !reader.UInt24(out int helloLength))
        {
            return ClientHelloStatus.Invalid;
        }

        if (helloLength > reader.Remaining)
        {
            // A ClientHello spread over several records: no name is read from it (rare; very large hellos).
            return reader.Remaining >= 2 + 32 ? ClientHelloStatus.Complete : ClientHelloStatus.Invalid;
        }

        reader = new Reader(reader.Rest[..helloLength]);
        if (!reader.Skip(2 + 32) // client_version, random
            || !reader.Vector8(out _) // session_id
            || !reader.Vector16(out _) // cipher_suites
            || !reader.Vector8(out _)) // compression_methods
        {
            return ClientHelloStatus.Invalid;
        }

        if (reader.Remaining == 0)
        {
            return ClientHelloStatus.Complete; // no extensions
        }

        if (!reader.Vector16(out ReadOnlySpan<byte> extensions))
        {
            return ClientHelloStatus.Invalid;
        }

        var ext = new Reader(extensions);
        while (ext.Remaining > 0)
        {
            if (!ext.UInt16(out int type) || !ext.Vector16(out ReadOnlySpan<byte> body))
            {
                return ClientHelloStatus.Invalid;
            }

            if (type == 16)
            {
                // application_layer_protocol_negotiation: a list of length-prefixed names (RFC 7301 section 3.1).
                onlyAcmeTls = body.Length == 2 + 1 + AcmeTls.Length && BinaryPrimitives.ReadUInt16BigEndian(body) == 1 + AcmeTls.Length
                    && body[2] == AcmeTls.Length && body[3..].SequenceEqual(AcmeTls);
                continue;
            }

            if (type != 0)
            {
                continue;
            }

            var sni = new Reader(body);
            if (!sni.Vector16(out ReadOnlySpan<byte> list))
            {
                return ClientHelloStatus.Invalid;
            }

            var names = new Reader(list);
            while (names.Remaining > 0)
            {
                if (!names.Byte(out int nameType) || !names.Vector16(out ReadOnlySpan<byte> name))
                {
                    return ClientHelloStatus.Invalid;
                }

                if (nameType == 0)
                {
                    if (name.Length == 0 || name.Length > 253 || name.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e) >= 0)
                    {
                        return ClientHelloStatus.Invalid;
                    }

                    serverName = Encoding.ASCII.GetString(name).TrimEnd('.').ToLowerInvariant();
                    break;
                }
            }
        }

        return ClientHelloStatus.Complete;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public readonly ReadOnlySpan<byte> Rest => _data;

        public bool Skip(int count)
        {
            if (_data.Length < count)
            {
                return false;
            }

            _data = _data[count..];
            return true;
        }

        public bool Byte(out int value)
        {
            value = _data.Length >= 1 ? _data[0] : 0;
            return Skip(1);
        }

        public bool UInt16(out int value)
        {
            value = _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : 0;
            return Skip(2);
        }

        public bool UInt24(out int value)
        {
            value = _data.Length >= 3 ? (_data[0] << 16) | (_data[1] << 8) | _data[2] : 0;
            return Skip(3);
        }

        public bool Vector8(out ReadOnlySpan<byte> value) => Byte(out int length) & Take(length, out value);

        public bool Vector16(out ReadOnlySpan<byte> value) => UInt16(out int length) & Take(length, out value);

        private bool Take(int length, out ReadOnlySpan<byte> value)
        {
            value = default;
            if (_data.Length < length)
            {
                _data = default;
                return false;
            }

            value = _data[..length];
            _data = _data[length..];
            return true;
        }
    }
}
