using System.Net;
using System.Text;
using Burrow.Agent.Forwarding;
using Burrow.Protocol.ProxyProtocol;

namespace Burrow.Agent.Tests.Forwarding;

/// <summary>The PROXY protocol header bytes, against the layouts of HAProxy's proxy-protocol.txt.</summary>
public sealed class ProxyProtocolHeaderTests
{
    [Fact]
    public void V1_ipv4_is_one_text_line()
    {
        byte[] header = ProxyProtocolHeader.Build(1, "203.0.113.7:51234", "198.51.100.1:20001", null);

        Assert.Equal("PROXY TCP4 203.0.113.7 198.51.100.1 51234 20001\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void V1_ipv6_uses_TCP6_and_bare_addresses()
    {
        byte[] header = ProxyProtocolHeader.Build(1, "[2001:db8::7]:40000", "[2001:db8::1]:443", null);

        Assert.Equal("PROXY TCP6 2001:db8::7 2001:db8::1 40000 443\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void V2_ipv4_has_the_binary_layout()
    {
        byte[] header = ProxyProtocolHeader.Build(2, "203.0.113.7:51234", "198.51.100.1:20001", null);

        byte[] expected =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21,                   // version 2, PROXY
            0x11,                   // AF_INET, STREAM
            0x00, 0x0C,             // 12 bytes follow
            203, 0, 113, 7,         // source address
            198, 51, 100, 1,        // destination address
            0xC8, 0x22,             // source port 51234
            0x4E, 0x21,             // destination port 20001
        ];
        Assert.Equal(expected, header);
    }

    [Fact]
    public void V2_ipv6_has_the_binary_layout()
    {
        byte[] header = ProxyProtocolHeader.Build(2, "[2001:db8::7]:40000", "[2001:db8::1]:443", null);

        Assert.Equal(16 + 36, header.Length);
        Assert.Equal(ProxyProtocolHeader.V2Signature.ToArray(), header[..12]);
        Assert.Equal(0x21, header[12]);
        Assert.Equal(0x21, header[13]); // AF_INET6, STREAM
        Assert.Equal(new byte[] { 0x00, 0x24 }, header[14..16]);
        Assert.Equal(IPAddress.Parse("2001:db8::7").GetAddressBytes(), header[16..32]);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), header[32..48]);
        Assert.Equal(new byte[] { 0x9C, 0x40, 0x01, 0xBB }, header[48..52]); // 40000, 443
    }

    [Fact]
    public void Ipv4_mapped_addresses_from_a_dual_mode_listener_are_written_as_ipv4()
    {
        byte[] header = ProxyProtocolHeader.Build(1, "[::ffff:127.0.0.1]:5000", "[::ffff:127.0.0.1]:20001", null);

        Assert.Equal("PROXY TCP4 127.0.0.1 127.0.0.1 5000 20001\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Mixed_families_are_both_written_as_ipv6()
    {
        byte[] header = ProxyProtocolHeader.Build(1, "203.0.113.7:1", "[2001:db8::1]:2", null);

        Assert.Equal("PROXY TCP6 ::ffff:203.0.113.7 2001:db8::1 1 2\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Missing_server_address_falls_back_to_the_given_endpoint()
    {
        byte[] header = ProxyProtocolHeader.Build(1, "203.0.113.7:51234", null, new IPEndPoint(IPAddress.Loopback, 5432));

        Assert.Equal("PROXY TCP4 203.0.113.7 127.0.0.1 51234 5432\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Unknown_client_address_gives_UNKNOWN_in_v1_and_LOCAL_in_v2()
    {
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(ProxyProtocolHeader.Build(1, "unknown", "127.0.0.1:1", null)));

        byte[] v2 = ProxyProtocolHeader.Build(2, "unknown", "127.0.0.1:1", null);
        Assert.Equal([.. ProxyProtocolHeader.V2Signature, 0x20, 0x00, 0x00, 0x00], v2);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData("v1", 1)]
    [InlineData(" V2 ", 2)]
    public void Version_parses_1_and_2(string text, int expected)
    {
        Assert.True(ProxyProtocolHeader.TryParseVersion(text, out int version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("yes")]
    [InlineData(null)]
    public void Version_refuses_anything_else(string? text)
    {
        Assert.False(ProxyProtocolHeader.TryParseVersion(text, out _));
    }
}
