using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.Cluster.Tests.Pooling;

/// <summary>
/// A raw TCP (or TLS, with <see cref="Upstream.TlsCertificate"/>) upstream on loopback for pooled agents started with
/// <c>--upstream-proxy-protocol 1</c>: it reads the PROXY line, then everything the client sends until its half-close,
/// and answers <c>NAME CLIENT-IP BYTES</c> and closes. So one answer shows which member served the connection, the
/// client's address as the entry node saw it, and that the client's bytes and its half-close crossed the nodes.
/// </summary>
internal sealed class NamedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _tls;

    private NamedUpstream(string name, bool tls)
    {
        Name = name;
        _tls = tls;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(256);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptLoopAsync();
    }

    public string Name { get; }

    public int Port { get; }

    public static NamedUpstream Start(string name, bool tls = false) => new(name, tls);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await using var network = new NetworkStream(socket, ownsSocket: false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                string client = await ReadProxyLineAsync(network, timeout.Token);
                if (_tls)
                {
                    await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Upstream.TlsCertificate }, timeout.Token);
                    // TLS: the client's line, as its half-close does not cross the edge's TLS port (Kestrel's connection cannot half-close).
                    using var reader = new StreamReader(tls, Encoding.ASCII, false, 1024, leaveOpen: true);
                    string line = await reader.ReadLineAsync(timeout.Token) ?? "";
                    await tls.WriteAsync(Answer(client, line.Length), timeout.Token);
                    await tls.ShutdownAsync();
                }
                else
                {
                    long read = 0;
                    byte[] buffer = new byte[16 * 1024];
                    int n;
                    while ((n = await network.ReadAsync(buffer, timeout.Token)) > 0)
                    {
                        read += n;
                    }

                    await network.WriteAsync(Answer(client, read), timeout.Token);
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away; it sees no answer.
            }
        }
    }

    private byte[] Answer(string client, long read) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Name} {client} {read}"));

    /// <summary>The source address of a PROXY v1 line (<c>PROXY TCP4 SRC DST SPORT DPORT</c>), read byte by byte so nothing after it is taken.</summary>
    private static async Task<string> ReadProxyLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (line.Length < 108)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("closed before the PROXY line");
            }

            if (one[0] == '\n')
            {
                string[] parts = line.ToString().TrimEnd('\r').Split(' ');
                return parts is ["PROXY", _, var source, ..] ? source : throw new IOException("not a PROXY line: " + line);
            }

            line.Append((char)one[0]);
        }

        throw new IOException("PROXY line too long");
    }
}
