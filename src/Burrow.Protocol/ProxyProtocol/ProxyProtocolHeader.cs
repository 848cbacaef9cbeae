using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Burrow.Protocol.ProxyProtocol;

/// <summary>
/// Builds the PROXY protocol header (HAProxy's spec, versions 1 and 2) written first on an upstream
/// connection, so the upstream sees the public client's address instead of the agent's.
/// </summary>
/// <remarks>
/// A Burrow agent writes it, not the edge: the header belongs to the upstream connection, which only the
/// agent opens, and the edge already sends both addresses in the proxy stream's header (client_addr,
/// server_addr), so the wire between them needs nothing new and a tls tunnel terminated at the agent
/// gets the header in front of the plaintext, where the upstream expects it. ngrok's clients pass a
/// proxy stream's bytes through as they are, so for them the edge writes it at the start of the stream.
/// <code>
/// v1: "PROXY TCP4 203.0.113.7 198.51.100.1 51234 20001\r\n"  (TCP6 for IPv6; at most 107 bytes)
/// v2: 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A   signature (12)
///     21                                    version 2, command PROXY
///     11 | 21                               AF_INET | AF_INET6, STREAM
///     00 0C | 00 24                         address block length: 12 (IPv4) or 36 (IPv6)
///     src addr, dst addr (4+4 or 16+16), src port u16, dst port u16   all big-endian
/// </code>
/// A client address that cannot be parsed gives "PROXY UNKNOWN\r\n" (v1) or the LOCAL command with
/// AF_UNSPEC (v2), which the spec says receivers must accept and treat as the connection's own addresses.
/// </remarks>
public static class ProxyProtocolHeader
{
    /// <summary>The 12-byte signature that starts every version 2 header.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private const byte V2CommandProxy = 0x21; // version 2 (high nibble), PROXY (low nibble)
    private const byte V2CommandLocal = 0x20; // version 2, LOCAL
    private const byte V2Inet = 0x11;         // AF_INET, STREAM
    private const byte V2Inet6 = 0x21;        // AF_INET6, STREAM
    private const byte V2Unspec = 0x00;

    /// <summary>Parses the value of <c>--upstream-proxy-protocol</c>: <c>1</c>, <c>2</c>, <c>v1</c> or <c>v2</c>.</summary>
    public static bool TryParseVersion(string? value, out int version)
    {
        version = (value ?? "").Trim().ToLowerInvariant() switch
        {
            "1" or "v1" => 1,
            "2" or "v2" => 2,
            _ => 0,
        };
        return version != 0;
    }

    /// <summary>
    /// The header for a connection from <paramref name="clientAddr"/> to <paramref name="serverAddr"/>
    /// (both <c>ip:port</c> as the edge sends them); <paramref name="fallbackServer"/> stands in for a
    /// server address the edge did not send (older edges).
    /// </summary>
    public static byte[] Build(int version, string? clientAddr, string? serverAddr, IPEndPoint? fallbackServer)
    {
        IPEndPoint? source = ParseEndPoint(clientAddr);
        IPEndPoint? destination = ParseEndPoint(serverAddr) ?? Normalize(fallbackServer);
        return Build(version, source, destination);
    }

    /// <summary>The header for <paramref name="source"/> → <paramref name="destination"/>; either missing gives UNKNOWN / LOCAL.</summary>
    public static byte[] Build(int version, IPEndPoint? source, IPEndPoint? destination)
    {
        if (version is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "PROXY protocol version 1 or 2");
        }

        source = Normalize(source);
        destination = Normalize(destination);
        if (source is not null && destination is not null && source.AddressFamily != destination.AddressFamily)
        {
            // Both ends must be in one family; an IPv4 address is written in its IPv4-mapped IPv6 form.
            source = new IPEndPoint(source.Address.MapToIPv6(), source.Port);
            destination = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port);
        }

        return version == 1 ? BuildV1(source, destination) : BuildV2(source, destination);
    }

    private static byte[] BuildV1(IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is null || destination is null)
        {
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        string family = source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"PROXY {family} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n"));
    }

    private static byte[] BuildV2(IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is null || destination is null)
        {
            byte[] local = new byte[16];
            V2Signature.CopyTo(local);
            local[12] = V2CommandLocal;
            local[13] = V2Unspec;
            return local; // address block length 0
        }

        bool v4 = source.AddressFamily == AddressFamily.InterNetwork;
        int addressLength = v4 ? 4 : 16;
        int blockLength = (2 * addressLength) + 4;
        byte[] header = new byte[16 + blockLength];
        V2Signature.CopyTo(header);
        header[12] = V2CommandProxy;
        header[13] = v4 ? V2Inet : V2Inet6;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)blockLength);
        Span<byte> block = header.AsSpan(16);
        source.Address.TryWriteBytes(block, out _);
        destination.Address.TryWriteBytes(block[addressLength..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(block[(2 * addressLength)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(block[((2 * addressLength) + 2)..], (ushort)destination.Port);
        return header;
    }

    private static IPEndPoint? ParseEndPoint(string? text) =>
        text is { Length: > 0 } && IPEndPoint.TryParse(text, out IPEndPoint? endPoint) ? Normalize(endPoint) : null;

    // A dual-mode listener reports IPv4 clients as ::ffff:a.b.c.d; upstreams expect to see a.b.c.d. A scope id has no place in the header.
    private static IPEndPoint? Normalize(IPEndPoint? endPoint) =>
        endPoint is not null && endPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint is { Address.AddressFamily: AddressFamily.InterNetworkV6 } && endPoint.Address.ScopeId != 0
            ? new IPEndPoint(new IPAddress(endPoint.Address.GetAddressBytes()), endPoint.Port)
            : endPoint;
}
