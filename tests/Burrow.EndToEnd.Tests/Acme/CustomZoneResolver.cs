using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Burrow.EndToEnd.Tests.Acme;

/// <summary>
/// The DNS server Pebble is given (<c>-dnsserver</c>) in the on-demand tests: the edge's own DNS server answers only its
/// zone, so this one forwards that zone to it (the wildcard's DNS-01 TXT records keep working) and answers every other
/// name the way a customer's DNS pointing at the edge would: A 127.0.0.1. Names under <c>unreachable.test</c> get
/// 127.0.0.2, where nothing listens, so a challenge for them fails. ARSoft.Tools.Net's server and client, as the edge's.
/// </summary>
internal sealed class CustomZoneResolver : IDisposable
{
    public const string UnreachableZone = "unreachable.test";

    private readonly DnsServer _server;
    private readonly DomainName _edgeZone;
    private readonly DomainName _unreachable = DomainName.Parse(UnreachableZone);
    private readonly DnsClient _edge;

    public CustomZoneResolver(int port, string edgeZone, int edgeDnsPort)
    {
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        _edgeZone = DomainName.Parse(edgeZone);
        _edge = new DnsClient([IPAddress.Loopback], [new UdpClientTransport(edgeDnsPort), new TcpClientTransport(edgeDnsPort)], false, 5000);
        _server = new DnsServer(new UdpServerTransport(EndPoint), new TcpServerTransport(EndPoint));
        _server.QueryReceived += OnQueryAsync;
        _server.Start();
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _server.QueryReceived -= OnQueryAsync;
        _server.Stop();
    }

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
        {
            return;
        }

        DnsQuestion question = query.Questions[0];
        if (question.Name.Equals(_edgeZone, ignoreCase: true) || question.Name.IsSubDomainOf(_edgeZone))
        {
            var forwarded = new DnsMessage { IsRecursionDesired = false };
            forwarded.Questions.Add(question);
            DnsMessage? answer = await _edge.SendMessageAsync(forwarded);
            if (answer is not null)
            {
                DnsMessage response = query.CreateResponseInstance();
                response.ReturnCode = answer.ReturnCode;
                response.AnswerRecords.AddRange(answer.AnswerRecords);
                response.AuthorityRecords.AddRange(answer.AuthorityRecords);
                e.Response = response;
            }

            return;
        }

        DnsMessage own = query.CreateResponseInstance();
        own.ReturnCode = ReturnCode.NoError;
        if (question.RecordType == RecordType.A)
        {
            bool down = question.Name.Equals(_unreachable, ignoreCase: true) || question.Name.IsSubDomainOf(_unreachable);
            own.AnswerRecords.Add(new ARecord(question.Name, 60, down ? IPAddress.Parse("127.0.0.2") : IPAddress.Loopback));
        }

        e.Response = own;
    }
}
