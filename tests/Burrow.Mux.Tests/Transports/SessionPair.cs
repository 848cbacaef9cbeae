using Burrow.Mux.Sessions;

namespace Burrow.Mux.Tests.Transports;

/// <summary>A connected client and server session over one kind of transport; disposes both.</summary>
internal sealed class SessionPair : IAsyncDisposable
{
    private SessionPair(MuxSession client, MuxSession server)
    {
        Client = client;
        Server = server;
    }

    public MuxSession Client { get; }

    public MuxSession Server { get; }

    public static IEnumerable<TheoryDataRow<TransportKind>> AllKinds() =>
        Enum.GetValues<TransportKind>().Select(k => new TheoryDataRow<TransportKind>(k));

    public static async Task<SessionPair> CreateAsync(TransportKind kind, MuxOptions? clientOptions = null, MuxOptions? serverOptions = null)
    {
        switch (kind)
        {
            case TransportKind.InMemoryPipe:
                var (a, b) = DuplexPipe.CreatePair();
                return new SessionPair(MuxSession.Client(a, clientOptions), MuxSession.Server(b, serverOptions));
            case TransportKind.LoopbackTcp:
                var (tcpClient, tcpServer) = await Loopback.ConnectTcpAsync();
                return new SessionPair(MuxSession.Client(tcpClient, clientOptions), MuxSession.Server(tcpServer, serverOptions));
            default:
                var (tlsClient, tlsServer) = await Loopback.ConnectTlsAsync(coalesce: kind == TransportKind.LoopbackTlsCoalesced);
                return new SessionPair(MuxSession.Client(tlsClient, clientOptions), MuxSession.Server(tlsServer, serverOptions));
        }
    }

    /// <summary>The two ends, in either role order, so behaviour is checked for both directions.</summary>
    public (MuxSession Opener, MuxSession Acceptor) Roles(bool serverOpens) => serverOpens ? (Server, Client) : (Client, Server);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
