using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Burrow.Edge.Tls;

namespace Burrow.Edge.Tests.Tls;

public sealed class ClientHelloParserTests
{
    [Fact]
    public void Valid_hello_with_sni_gives_the_name()
    {
        byte[] hello = BuildHello("Demo.Tunnel.Example.com");

        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(hello, out string? name));
        Assert.Equal("demo.tunnel.example.com", name);
    }

    [Fact]
    public void Hello_split_over_segments_gives_the_name()
    {
        byte[] hello = BuildHello("split.example.com");
        var first = new Segment(hello.AsMemory(0, 7));
        Segment last = first.Append(hello.AsMemory(7));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(sequence, out string? name));
        Assert.Equal("split.example.com", name);
    }

    [Fact]
    public async Task Hello_written_by_SslStream_gives_the_name()
    {
        byte[] hello = await CaptureRealHelloAsync("real.example.com");

        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(hello, out string? name));
        Assert.Equal("real.example.com", name);
    }

    [Fact]
    public async Task Hello_offering_only_acme_tls_is_recognised_as_a_tls_alpn_01_validation()
    {
        byte[] acme = await CaptureRealHelloAsync("app.customer.test", [new SslApplicationProtocol("acme-tls/1")]);
        byte[] mixed = await CaptureRealHelloAsync("app.customer.test", [SslApplicationProtocol.Http11, new SslApplicationProtocol("acme-tls/1")]);
        byte[] browser = await CaptureRealHelloAsync("app.customer.test", [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);

        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(acme, out string? name, out bool onlyAcmeTls));
        Assert.Equal("app.customer.test", name);
        Assert.True(onlyAcmeTls);
        // RFC 8737 section 3: the CA offers acme-tls/1 alone; anything else is an ordinary client.
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(mixed, out name, out onlyAcmeTls));
        Assert.Equal("app.customer.test", name);
        Assert.False(onlyAcmeTls);
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(browser, out _, out onlyAcmeTls));
        Assert.False(onlyAcmeTls);
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(BuildHello("app.customer.test"), out _, out onlyAcmeTls));
        Assert.False(onlyAcmeTls);
    }

    [Fact]
    public void Hello_without_sni_is_complete_with_no_name()
    {
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(BuildHello(null), out string? name));
        Assert.Null(name);
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(BuildHello(null, extensions: false), out name));
        Assert.Null(name);
    }

    [Fact]
    public void Truncated_hello_needs_more_at_every_length()
    {
        byte[] hello = BuildHello("demo.example.com");
        for (int length = 0; length < hello.Length; length++)
        {
            Assert.Equal(ClientHelloStatus.NeedMore, ClientHelloParser.TryParse(hello.AsSpan(0, length), out string? name));
            Assert.Null(name);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: demo\r\n\r\n")]
    [InlineData("\u0016\u0002\u0000\u0000\u0005hello")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n")]
    public void Garbage_is_invalid(string text)
    {
        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(Encoding.Latin1.GetBytes(text), out _));
    }

    [Fact]
    public void Inconsistent_lengths_inside_a_whole_record_are_invalid()
    {
        byte[] hello = BuildHello("demo.example.com");
        // Claim a longer session id than the hello holds.
        hello[5 + 4 + 2 + 32] = 0xFF;

        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(hello, out _));
    }

    [Fact]
    public void Record_not_a_client_hello_is_invalid()
    {
        byte[] hello = BuildHello("demo.example.com");
        hello[5] = 2; // server_hello

        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(hello, out _));
    }

    [Fact]
    public void Oversized_record_is_invalid_without_waiting_for_it()
    {
        byte[] header = [22, 3, 1, 0x40, 0x01]; // 16385 bytes: more than a TLS record may hold

        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(header, out _));
    }

    private static byte[] BuildHello(string? serverName, bool extensions = true)
    {
        var body = new List<byte> { 3, 3 };
        body.AddRange(new byte[32]); // random
        body.Add(0); // session id
        body.AddRange([0, 2, 0x13, 0x01]); // one cipher suite
        body.AddRange([1, 0]); // null compression
        if (extensions)
        {
            var ext = new List<byte>();
            // An unrelated extension first (supported_versions).
            ext.AddRange([0, 43, 0, 3, 2, 3, 4]);
            if (serverName is not null)
            {
                byte[] name = Encoding.ASCII.GetBytes(serverName);
                var list = new List<byte> { 0 };
                list.AddRange(U16(name.Length));
                list.AddRange(name);
                var sni = new List<byte>();
                sni.AddRange(U16(list.Count));
                sni.AddRange(list);
                ext.AddRange([0, 0]);
                ext.AddRange(U16(sni.Count));
                ext.AddRange(sni);
            }

            body.AddRange(U16(ext.Count));
            body.AddRange(ext);
        }

        var handshake = new List<byte> { 1, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count };
        handshake.AddRange(body);
        var record = new List<byte> { 22, 3, 1 };
        record.AddRange(U16(handshake.Count));
        record.AddRange(handshake);
        return [.. record];
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    private static async Task<byte[]> CaptureRealHelloAsync(string serverName, List<SslApplicationProtocol>? alpn = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using Socket server = await listener.AcceptSocketAsync();
        var ssl = new SslStream(client.GetStream());
        Task handshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName, ApplicationProtocols = alpn });

        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        while (received.Count < 5 || received.Count < 5 + ((received[3] << 8) | received[4]))
        {
            int read = await server.ReceiveAsync(buffer, SocketFlags.None);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await ssl.DisposeAsync();
        return [.. received];
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
