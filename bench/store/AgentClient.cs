using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;

namespace Burrow.Bench.Store;

/// <summary>The agent's side of a session, as the real agent does it: TCP, TLS (ALPN burrow/1), mux, control stream, auth.</summary>
internal sealed class AgentClient : IAsyncDisposable
{
    private readonly MuxSession _mux;

    private AgentClient(MuxSession mux, ControlMessageReader reader, ControlMessageWriter writer)
    {
        _mux = mux;
        Reader = reader;
        Writer = writer;
    }

    public ControlMessageReader Reader { get; }

    public ControlMessageWriter Writer { get; }

    /// <summary>Connects and authenticates; returns the client, or throws with the edge's refusal.</summary>
    public static async Task<AgentClient> ConnectAsync(IPEndPoint edge, X509Certificate2 ca, string token, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(edge, cancellationToken);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [new SslApplicationProtocol(BurrowProtocol.Alpn)],
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        }, cancellationToken);
        var mux = MuxSession.Client(ssl, new MuxOptions { EnableKeepAlive = false });
        MuxStream control = await mux.OpenStreamAsync(cancellationToken);
        var reader = new ControlMessageReader(control);
        var writer = new ControlMessageWriter(control);
        await writer.WriteAsync(new AuthMessage
        {
            ProtocolVersion = BurrowProtocol.CurrentVersion,
            Authtoken = token,
            Agent = new AgentInfo { Name = "burrow-bench", Version = "0", Os = "linux" },
        }, cancellationToken);
        if (await reader.ReadAsync(cancellationToken) is not AuthResultMessage { Error: null })
        {
            await mux.DisposeAsync();
            throw new InvalidOperationException("the edge refused the bench's authtoken");
        }

        return new AgentClient(mux, reader, writer);
    }

    public async ValueTask DisposeAsync()
    {
        Writer.Dispose();
        await _mux.DisposeAsync();
    }
}
