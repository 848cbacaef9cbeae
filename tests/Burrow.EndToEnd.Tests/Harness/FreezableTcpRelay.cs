using System.Net;
using System.Net.Sockets;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A TCP forwarder on 127.0.0.1 that relays every connection to a target. <see cref="Freeze"/> silently cuts the
/// connections open at that moment: their sockets stay open (no FIN, no RST) but bytes in either direction are read
/// and dropped, as on a dead network path. Connections accepted afterwards are relayed normally (the network came back).
/// </summary>
public sealed class FreezableTcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private FreezableTcpRelay(string target)
    {
        int colon = target.LastIndexOf(':');
        _targetHost = target[..colon];
        _targetPort = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The address to give clients, <c>127.0.0.1:port</c>.</summary>
    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many connections the relay has accepted so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Starts relaying connections to <paramref name="target"/> (<c>host:port</c>).</summary>
    public static FreezableTcpRelay Start(string target) => new(target);

    /// <summary>Silently cuts every connection open now; later connections are relayed normally.</summary>
    public void Freeze()
    {
        lock (_lock)
        {
            foreach (Link link in _links)
            {
                link.Frozen = true;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> connections were accepted.</summary>
    public async Task WaitForConnectionsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (AcceptedConnections < count)
        {
            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The relay accepted {AcceptedConnections} connection(s), expected {count}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        List<Link> links;
        lock (_lock)
        {
            links = [.. _links];
        }

        foreach (Link link in links)
        {
            link.Close();
        }

        await Task.WhenAll(links.Select(l => l.Pumps).Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    client.Dispose();
                    server.Dispose();
                    continue;
                }

                var link = new Link(client, server);
                lock (_lock)
                {
                    _links.Add(link);
                }

                link.Pumps = Task.WhenAll(PumpAsync(link, client, server), PumpAsync(link, server, client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (link.Frozen)
                {
                    // The silent cut: whatever arrives (data or end of stream) goes nowhere.
                    if (read == 0)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    continue;
                }

                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            if (!link.Frozen)
            {
                link.Close();
            }
        }
    }

    private sealed class Link(Socket client, Socket server)
    {
        private volatile bool _frozen;

        public bool Frozen
        {
            get => _frozen;
            set => _frozen = value;
        }

        public Task Pumps { get; set; } = Task.CompletedTask;

        public void Close()
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
