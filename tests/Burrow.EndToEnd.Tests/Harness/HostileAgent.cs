using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Versioning;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// An agent written to misbehave: a real TCP + TLS (ALPN burrow/1) connection to the edge and a real
/// Burrow.Mux client session, whose control stream the test writes anything to — raw bytes or messages.
/// </summary>
public sealed class HostileAgent : IAsyncDisposable
{
    private readonly ControlMessageReader _reader;

    private HostileAgent(MuxSession mux, MuxStream control)
    {
        Mux = mux;
        Control = control;
        _reader = new ControlMessageReader(control);
    }

    public MuxSession Mux { get; }

    public MuxStream Control { get; }

    /// <summary>Connects and opens the control stream, sending nothing on it yet.</summary>
    /// <param name="edge">The edge.</param>
    /// <param name="from">The loopback address to connect from (127.0.0.x), for per-address limits.</param>
    public static async Task<HostileAgent> ConnectAsync(EdgeRun edge, IPAddress? from = null)
    {
        Stream tls = await ConnectTlsAsync(edge, from);
        var mux = MuxSession.Client(tls, new MuxOptions { EnableKeepAlive = false });
        MuxStream control = await mux.OpenStreamAsync();
        return new HostileAgent(mux, control);
    }

    /// <summary>A TLS connection to the agent port with ALPN burrow/1, with nothing on top.</summary>
    public static async Task<SslStream> ConnectTlsAsync(EdgeRun edge, IPAddress? from = null)
    {
        int colon = edge.AgentAddress.LastIndexOf(':');
        var target = new IPEndPoint(IPAddress.Parse(edge.AgentAddress[..colon]), int.Parse(edge.AgentAddress[(colon + 1)..], CultureInfo.InvariantCulture));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(target);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        SslClientAuthenticationOptions options = Clients.TrustingOptions(edge.CaPath);
        options.TargetHost = "localhost";
        options.ApplicationProtocols = [new SslApplicationProtocol(BurrowProtocol.Alpn)];
        await ssl.AuthenticateAsClientAsync(options);
        return ssl;
    }

    /// <summary>A well-formed auth message.</summary>
    public static AuthMessage Auth(string token) => new()
    {
        ProtocolVersion = BurrowProtocol.CurrentVersion,
        Authtoken = token,
        Agent = new AgentInfo { Name = "hostile", Version = "0", Os = "linux" },
    };

    public async Task SendAsync(ControlMessage message)
    {
        using var writer = new ControlMessageWriter(Control);
        await writer.WriteAsync(message, CancellationToken.None);
    }

    public ValueTask SendRawAsync(byte[] bytes) => Control.WriteAsync(bytes);

    /// <summary>The next control message, <see langword="null"/> at the end of the stream; throws on a timeout.</summary>
    public async Task<ControlMessage?> ReadAsync(TimeSpan? timeout = null) =>
        await _reader.ReadAsync(CancellationToken.None).AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>Reads messages until one of type <typeparamref name="T"/> (or the end); returns it or null.</summary>
    public async Task<T?> ReadUntilAsync<T>(TimeSpan? timeout = null)
        where T : ControlMessage
    {
        while (true)
        {
            ControlMessage? message;
            try
            {
                message = await ReadAsync(timeout);
            }
            catch (Exception ex) when (ex is MuxException or IOException or InvalidOperationException)
            {
                return null;
            }

            if (message is null or T)
            {
                return message as T;
            }
        }
    }

    /// <summary>Waits for the edge to end the session.</summary>
    public async Task<MuxCloseInfo> WaitClosedAsync(TimeSpan? timeout = null) =>
        await Mux.Completion.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync() => await Mux.DisposeAsync();
}
