using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Burrow.Acme.Challenges;
using Burrow.Acme.Dns;
using Burrow.Acme.Tests.Bind;
using Burrow.Acme.Tests.Pebble;

namespace Burrow.Acme.Tests.Dns;

/// <summary>
/// The edge's DNS server as real resolvers' tools see it: BIND's <c>dig</c> and Knot's <c>kdig</c> run as processes
/// against <see cref="AuthoritativeDnsServer"/> on a loopback port, plus raw sockets for what no tool sends (garbage
/// datagrams, a TCP message cut short).
/// </summary>
public sealed partial class DnsClientToolsTests : IDisposable
{
    private const string Zone = "tunnels.test";
    private const string Dig = "/usr/bin/dig";
    private const string Kdig = "/usr/bin/kdig";
    private readonly Dns01Challenges _challenges = new(Zone);
    private readonly AuthoritativeDnsServer _server;
    private readonly int _port;

    public DnsClientToolsTests()
    {
        var zone = new TunnelZone { Name = Zone, Addresses = [IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::7")] };
        _port = FreePorts.TcpAndUdp();
        _server = new AuthoritativeDnsServer(new IPEndPoint(IPAddress.Loopback, _port), new ZoneAnswerer(zone, _challenges));
        _server.Start();
    }

    public void Dispose() => _server.Dispose();

    private string Port => _port.ToString(CultureInfo.InvariantCulture);

    private async Task<string> DigAsync(params string[] arguments)
    {
        var (_, output) = await Tools.RunAsync(Dig, ["@127.0.0.1", "-p", Port, "+tries=1", "+time=3", .. arguments]);
        return output;
    }

    private async Task<string> KdigAsync(params string[] arguments)
    {
        var (_, output) = await Tools.RunAsync(Kdig, ["@127.0.0.1", "-p", Port, "+retry=0", "+timeout=3", .. arguments]);
        return output;
    }

    // dig: ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1" and ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, ...";
    // kdig: ";; ->>HEADER<<- opcode: QUERY; status: NOERROR; id: 1" and ";; Flags: qr aa rd; QUERY: 1; ANSWER: 1; ...".
    private static string Status(string output) => StatusLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no status in:\n" + output);

    private static string[] Flags(string output) => FlagsLine().Match(output) is { Success: true } m ? m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : throw new Xunit.Sdk.XunitException("no flags in:\n" + output);

    private static int AnswerCount(string output) => AnswerLine().Match(output) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : throw new Xunit.Sdk.XunitException("no answer count in:\n" + output);

    [Theory]
    [InlineData("A", Zone, "192.0.2.7")]
    [InlineData("A", "any-tunnel." + Zone, "192.0.2.7")]
    [InlineData("AAAA", "deep.name." + Zone, "2001:db8::7")]
    [InlineData("NS", Zone, "ns1.tunnels.test.")]
    [InlineData("SOA", Zone, "ns1.tunnels.test. hostmaster.tunnels.test. 1 3600 600 604800 10")]
    public async Task Dig_and_kdig_get_authoritative_answers_without_recursion_offered(string type, string name, string expected)
    {
        foreach (string output in new[] { await DigAsync(name, type), await KdigAsync(name, type), await DigAsync("+tcp", name, type) })
        {
            Assert.Equal("NOERROR", Status(output));
            Assert.Contains("aa", Flags(output));
            Assert.DoesNotContain("ra", Flags(output));
            Assert.Matches($@"(?m)^{Regex.Escape(name)}\.\s+\d+\s+IN\s+{type}\s+{Regex.Escape(expected)}\s*$", output);
        }

        Assert.Equal(expected, (await DigAsync("+short", name, type)).Trim());
    }

    [Fact]
    public async Task Acme_challenge_txt_is_answered_while_pending_and_nodata_with_the_soa_after()
    {
        string record = "_acme-challenge." + Zone;
        await _challenges.PresentAsync(Zone, "t", "t.key", default);

        Assert.Equal($"\"{Dns01Challenges.TxtValue("t.key")}\"", (await DigAsync("+short", record, "TXT")).Trim());
        Assert.Contains(Dns01Challenges.TxtValue("t.key"), await KdigAsync(record, "TXT"), StringComparison.Ordinal);

        await _challenges.CleanupAsync(Zone, "t", "t.key", default);
        string after = await DigAsync(record, "TXT");
        Assert.Equal("NOERROR", Status(after));
        Assert.Equal(0, AnswerCount(after));
        Assert.Matches(@"(?m)^tunnels\.test\.\s+\d+\s+IN\s+SOA\s", after);
    }

    [Fact]
    public async Task Any_over_udp_gets_one_rrset_as_rfc8482_allows_and_over_tcp_everything()
    {
        // dig 9.18 sends ANY over TCP unless told +notcp.
        string udp = await DigAsync("+notcp", Zone, "ANY");
        Assert.Contains("(UDP)", udp, StringComparison.Ordinal);
        Assert.Equal("NOERROR", Status(udp));
        Assert.True(AnswerCount(udp) == 1, udp);
        Assert.Matches(@"(?m)^tunnels\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.7", udp);

        foreach (string tcp in new[] { await DigAsync("+tcp", Zone, "ANY"), await KdigAsync("+tcp", Zone, "ANY") })
        {
            Assert.Equal("NOERROR", Status(tcp));
            Assert.Equal(4, AnswerCount(tcp));
            foreach (string type in new[] { "A", "AAAA", "NS", "SOA" })
            {
                Assert.Matches($@"(?m)^tunnels\.test\.\s+\d+\s+IN\s+{type}\s", tcp);
            }
        }
    }

    [Fact]
    public async Task Another_zone_is_refused()
    {
        foreach (string output in new[] { await DigAsync("example.com", "A"), await KdigAsync("example.com", "A"), await DigAsync("test", "SOA") })
        {
            Assert.Equal("REFUSED", Status(output));
            Assert.DoesNotContain("ra", Flags(output));
            Assert.Equal(0, AnswerCount(output));
        }
    }

    [Fact]
    public async Task Zone_transfers_are_refused_axfr_and_ixfr()
    {
        Assert.Contains("Transfer failed.", await DigAsync(Zone, "AXFR"), StringComparison.Ordinal);
        string kdigAxfr = await KdigAsync(Zone, "AXFR");
        Assert.Contains("REFUSED", kdigAxfr, StringComparison.Ordinal);
        Assert.DoesNotContain("IN\tSOA", kdigAxfr, StringComparison.Ordinal);

        // dig reports only "Transfer failed."; kdig names the RCODE, over TCP and over UDP (+notcp).
        Assert.Contains("Transfer failed.", await DigAsync(Zone, "IXFR=0"), StringComparison.Ordinal);
        foreach (string transport in new[] { "+tcp", "+notcp" })
        {
            string ixfr = await KdigAsync(transport, Zone, "IXFR=0");
            Assert.Contains("server replied with error 'REFUSED'", ixfr, StringComparison.Ordinal);
            Assert.Contains(transport == "+tcp" ? "(TCP)" : "(UDP)", ixfr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_udp_answer_over_512_bytes_without_edns_is_truncated_and_tcp_gets_all_of_it()
    {
        string record = "_acme-challenge." + Zone;
        for (int i = 0; i < 20; i++)
        {
            await _challenges.PresentAsync(Zone, $"t{i}", $"t{i}.key", default);
        }

        // 20 values of 43 characters: about 1.1 kB, over the 512 bytes a query without EDNS allows (RFC 1035 section 4.2.1).
        string udp = await DigAsync("+noedns", "+ignore", record, "TXT");
        Assert.Contains("tc", Flags(udp));
        Assert.True(AnswerCount(udp) < 20, udp);

        foreach (string tcp in new[] { await DigAsync("+noedns", "+tcp", record, "TXT"), await KdigAsync("+noedns", "+tcp", record, "TXT"), await DigAsync("+noedns", record, "TXT") })
        {
            Assert.Equal("NOERROR", Status(tcp));
            Assert.DoesNotContain("tc", Flags(tcp));
            Assert.Equal(20, AnswerCount(tcp));
        }
    }

    [Fact]
    public async Task Garbage_datagrams_and_a_tcp_message_cut_short_do_not_stop_the_server()
    {
        using (var udp = new UdpClient())
        {
            udp.Connect(IPAddress.Loopback, _port);
            byte[][] garbage =
            [
                [0x00],
                [0x12, 0x34, 0x01, 0x00, 0x00, 0x01],                                                    // a header cut short
                [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61],  // a question whose label runs past the end
                [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01], // a name pointing at itself
                [.. Enumerable.Range(0, 600).Select(i => (byte)(i * 37))],
            ];
            foreach (byte[] datagram in garbage)
            {
                await udp.SendAsync(datagram);
            }
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _port);
            var stream = tcp.GetStream();
            byte[] cut = new byte[2 + 20];
            BinaryPrimitives.WriteUInt16BigEndian(cut, 100); // announces 100 bytes, sends 20, then closes
            await stream.WriteAsync(cut);
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _port);
            await tcp.GetStream().WriteAsync(new byte[] { 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef });
        }

        string next = await DigAsync("after-garbage." + Zone, "A");
        Assert.Equal("NOERROR", Status(next));
        Assert.Contains("192.0.2.7", next, StringComparison.Ordinal);
        Assert.Equal("NOERROR", Status(await DigAsync("+tcp", "after-garbage." + Zone, "A")));
    }

    [GeneratedRegex(@"->>HEADER<<-\s+opcode:\s+\w+[,;]\s+status:\s+(\w+)")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(?im)^;;\s+flags:\s*([a-z ]*);")]
    private static partial Regex FlagsLine();

    [GeneratedRegex(@"ANSWER:\s+(\d+)")]
    private static partial Regex AnswerLine();
}
