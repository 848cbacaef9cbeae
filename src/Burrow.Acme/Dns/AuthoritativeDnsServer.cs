using System.Net;
using ARSoft.Tools.Net.Dns;

namespace Burrow.Acme.Dns;

/// <summary>
/// The edge's DNS server (<c>--dns-addr</c>): UDP and TCP on one address, every query answered by
/// <see cref="ZoneAnswerer"/>. The listeners, message codec and truncation are ARSoft.Tools.Net's.
/// </summary>
internal sealed class AuthoritativeDnsServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly ZoneAnswerer _answerer;
    private long _queries;

    public AuthoritativeDnsServer(IPEndPoint endPoint, ZoneAnswerer answerer)
    {
        _answerer = answerer;
        EndPoint = endPoint;
        _server = new DnsServer(new UdpServerTransport(endPoint), new TcpServerTransport(endPoint));
        _server.QueryReceived += OnQueryReceivedAsync;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>How many queries were answered, for tests and metrics.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Binds both listeners and starts answering.</summary>
    public void Start() => _server.Start();

    public void Dispose()
    {
        _server.QueryReceived -= OnQueryReceivedAsync;
        _server.Stop();
    }

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = await _answerer.AnswerAsync(query, overTcp: e.TransportProtocol == TransportProtocol.Tcp).ConfigureAwait(false);
            Interlocked.Increment(ref _queries);
        }
    }
}
