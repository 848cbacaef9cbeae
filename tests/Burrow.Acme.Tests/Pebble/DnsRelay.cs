using System.Net;
using System.Net.Sockets;

namespace Burrow.Acme.Tests.Pebble;

/// <summary>
/// A UDP relay between Pebble (<c>-dnsserver</c>) and real DNS servers (the edges'). Each query goes to every upstream
/// and the answer with the most records comes back, so Pebble finds the TXT records of whichever edge of a cluster
/// ordered; with <see cref="RequireEveryUpstream"/>, the one with the fewest, so Pebble sees only what every edge
/// answers (as a CA that may ask any of a zone's name servers). While <see cref="Failing"/> it answers SERVFAIL instead: Pebble 2.4.0 has no knob that fails validations
/// (only <c>PEBBLE_VA_ALWAYS_VALID</c>), so this is how the tests make its authorizations fail.
/// </summary>
internal sealed class DnsRelay : IDisposable
{
    private readonly UdpClient _listener;
    private readonly IPEndPoint[] _upstreams;
    private readonly CancellationTokenSource _stop = new();
    private int _failed;
    private volatile bool _failing;

    public DnsRelay(params IPEndPoint[] upstreams)
    {
        _upstreams = upstreams;
        _listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_listener.Client.LocalEndPoint!;
        _ = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Whether the answer is the one with the fewest records (and none when an upstream is silent).</summary>
    public bool RequireEveryUpstream { get; init; }

    /// <summary>Whether queries are answered SERVFAIL.</summary>
    public bool Failing { get => _failing; set => _failing = value; }

    /// <summary>How many queries were answered SERVFAIL.</summary>
    public int Failed => Volatile.Read(ref _failed);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult query;
            try
            {
                query = await _listener.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(query));
        }
    }

    private async Task AnswerAsync(UdpReceiveResult query)
    {
        byte[]? answer;
        if (Failing && query.Buffer.Length >= 12)
        {
            Interlocked.Increment(ref _failed);
            answer = (byte[])query.Buffer.Clone();
            answer[2] |= 0x80; // QR: a response
            answer[3] = (byte)((answer[3] & 0xF0) | 2); // RCODE 2: SERVFAIL
        }
        else
        {
            byte[]?[] answers = await Task.WhenAll(_upstreams.Select(u => AskAsync(u, query.Buffer)));
            static int Records(byte[]? a) => (a![6] << 8) | a[7];
            answer = RequireEveryUpstream
                ? (answers.All(a => a is { Length: >= 12 }) ? answers.OrderBy(Records).First() : null)
                : answers.Where(a => a is { Length: >= 12 }).OrderByDescending(Records).FirstOrDefault();
        }

        if (answer is not null)
        {
            try
            {
                await _listener.SendAsync(answer, query.RemoteEndPoint, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    private static async Task<byte[]?> AskAsync(IPEndPoint upstream, byte[] query)
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.SendAsync(query, upstream, timeout.Token);
            return (await client.ReceiveAsync(timeout.Token)).Buffer;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }
}
