using System.Net.Sockets;
using Burrow.Mux.Sessions;
using Burrow.Mux.Transport;

namespace Burrow.Bench;

/// <summary>A Burrow.Mux client and server session over one loopback TCP connection configured as Burrow configures its own (TransportSocket), default options, no TLS; the server runs <see cref="MuxBenchServer"/>.</summary>
internal sealed class MuxTcpPair : IAsyncDisposable
{
    private readonly Task _serving;

    private MuxTcpPair(MuxSession client, MuxSession server)
    {
        Client = client;
        Server = server;
        _serving = MuxBenchServer.ServeAsync(server);
    }

    public MuxSession Client { get; }

    public MuxSession Server { get; }

    public static async Task<MuxTcpPair> ConnectAsync()
    {
        var (client, server) = await LoopbackTcp.ConnectAsync();
        // As the agent and the edge set up their sockets (the raw socket figures do not).
        TransportSocket.Configure(client);
        TransportSocket.Configure(server);

        return new MuxTcpPair(
            MuxSession.Client(new NetworkStream(client, ownsSocket: true)),
            MuxSession.Server(new NetworkStream(server, ownsSocket: true)));
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await _serving;
    }
}
