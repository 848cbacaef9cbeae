using Burrow.Mux.Muxado;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>A connected muxado client and server over one kind of transport; disposes both.</summary>
internal sealed class MuxadoPair : IAsyncDisposable
{
    private MuxadoPair(MuxadoSession client, MuxadoSession server)
    {
        Client = client;
        Server = server;
    }

    public MuxadoSession Client { get; }

    public MuxadoSession Server { get; }

    public static IEnumerable<TheoryDataRow<MuxadoTransport>> AllTransports() =>
        Enum.GetValues<MuxadoTransport>().Select(t => new TheoryDataRow<MuxadoTransport>(t));

    public static async Task<MuxadoPair> CreateAsync(MuxadoTransport transport, MuxadoOptions? options = null, MuxadoOptions? serverOptions = null)
    {
        var clientOptions = options;
        serverOptions ??= options;
        switch (transport)
        {
            case MuxadoTransport.InMemoryPipe:
                var (a, b) = DuplexPipe.CreatePair();
                return new MuxadoPair(MuxadoSession.OverPipe(a, isClient: true, clientOptions), MuxadoSession.OverPipe(b, isClient: false, serverOptions));
            case MuxadoTransport.LoopbackTcp:
                var (tcpClient, tcpServer) = await Loopback.ConnectTcpAsync();
                return new MuxadoPair(MuxadoSession.Client(tcpClient, clientOptions), MuxadoSession.Server(tcpServer, serverOptions));
            default:
                var (tlsClient, tlsServer) = await Loopback.ConnectTlsAsync();
                return new MuxadoPair(MuxadoSession.Client(tlsClient, clientOptions), MuxadoSession.Server(tlsServer, serverOptions));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
