using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Burrow.Acme.Challenges;
using Burrow.Acme.Dns;
using Burrow.Acme.Tests.Pebble;

namespace Burrow.Acme.Tests.Dns;

public sealed class ZoneAnswererTests
{
    private static readonly TunnelZone Zone = new() { Name = "tunnels.example.com", Addresses = [IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::7")] };
    private readonly Dns01Challenges _challenges = new(Zone.Name);

    private async Task<DnsMessage> AskAsync(string name, RecordType type)
    {
        var query = new DnsMessage { IsQuery = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        return await new ZoneAnswerer(Zone, _challenges).AnswerAsync(query);
    }

    [Theory]
    [InlineData("tunnels.example.com")]
    [InlineData("abc.tunnels.example.com")]
    [InlineData("deep.name.Tunnels.Example.COM")]
    public async Task A_and_AAAA_answer_the_edge_addresses_for_the_apex_and_every_name_under_it(string name)
    {
        var a = await AskAsync(name, RecordType.A);
        var aaaa = await AskAsync(name, RecordType.Aaaa);

        Assert.Equal(ReturnCode.NoError, a.ReturnCode);
        Assert.True(a.IsAuthoritiveAnswer);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.IsType<ARecord>(Assert.Single(a.AnswerRecords)).Address);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), Assert.IsType<AaaaRecord>(Assert.Single(aaaa.AnswerRecords)).Address);
    }

    [Fact]
    public async Task Apex_has_ns_and_soa()
    {
        Assert.Equal("ns1.tunnels.example.com.", Assert.IsType<NsRecord>(Assert.Single((await AskAsync(Zone.Name, RecordType.Ns)).AnswerRecords)).NameServer.ToString());
        Assert.IsType<SoaRecord>(Assert.Single((await AskAsync(Zone.Name, RecordType.Soa)).AnswerRecords));
    }

    [Fact]
    public async Task Acme_challenge_txt_is_answered_while_pending_with_every_value_and_nodata_after()
    {
        await _challenges.PresentAsync(Zone.Name, "t1", "t1.key", default);
        await _challenges.PresentAsync(Zone.Name, "t2", "t2.key", default);

        var pending = await AskAsync("_acme-challenge." + Zone.Name, RecordType.Txt);
        Assert.Equal(
            new[] { Dns01Challenges.TxtValue("t1.key"), Dns01Challenges.TxtValue("t2.key") }.Order(),
            pending.AnswerRecords.Cast<TxtRecord>().Select(r => r.TextData).Order());

        await _challenges.CleanupAsync(Zone.Name, "t1", "t1.key", default);
        await _challenges.CleanupAsync(Zone.Name, "t2", "t2.key", default);
        var after = await AskAsync("_acme-challenge." + Zone.Name, RecordType.Txt);
        Assert.Equal(ReturnCode.NoError, after.ReturnCode);
        Assert.Empty(after.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(after.AuthorityRecords));
        Assert.Empty((await AskAsync("_acme-challenge." + Zone.Name, RecordType.A)).AnswerRecords);
    }

    [Theory]
    [InlineData("example.com", RecordType.A)]
    [InlineData("othertunnels.example.com", RecordType.A)]
    [InlineData("tunnels.example.com", RecordType.Axfr)]
    [InlineData("tunnels.example.com", RecordType.Ixfr)]
    public async Task Other_zones_and_zone_transfers_are_refused(string name, RecordType type)
    {
        var response = await AskAsync(name, type);

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.False(response.IsRecursionAllowed);
    }

    [Fact]
    public async Task Server_answers_over_udp_and_tcp_and_refuses_a_transfer()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.TcpAndUdp());
        using var server = new AuthoritativeDnsServer(endPoint, new ZoneAnswerer(Zone, _challenges));
        server.Start();
        var client = new DnsClient([IPAddress.Loopback], [new UdpClientTransport(endPoint.Port), new TcpClientTransport(endPoint.Port)], false, 5000);

        var a = await client.ResolveAsync(DomainName.Parse("x.tunnels.example.com"), RecordType.A, token: TestContext.Current.CancellationToken);
        var axfr = await client.ResolveAsync(DomainName.Parse(Zone.Name), RecordType.Axfr, token: TestContext.Current.CancellationToken);

        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.IsType<ARecord>(Assert.Single(a!.AnswerRecords)).Address);
        Assert.Equal(ReturnCode.Refused, axfr!.ReturnCode);
    }
}
