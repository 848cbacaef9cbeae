using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Burrow.EndToEnd.Tests.Pooling;

/// <summary>
/// An upstream on a fixed loopback port that answers every HTTP request (and every raw TCP connection) with its own id,
/// then closes: which pool member served a request is read from the answer. It can be stopped and started again on
/// the same port, as a restarted service would be.
/// </summary>
public sealed class IdUpstream : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, byte> _open = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public IdUpstream(string id, bool http = true)
    {
        Id = id;
        Http = http;
        Port = Harness.FreePort.Loopback();
    }

    public string Id { get; }

    public bool Http { get; }

    public int Port { get; }

    public string Address => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public IdUpstream Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(512);
        _ = AcceptAsync(_listener, _stop.Token);
        return this;
    }

    public void Stop()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _listener = null;
        // A stopped service drops its keep-alive connections too.
        foreach (TcpClient client in _open.Keys)
        {
            client.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                TcpClient client = await listener.AcceptTcpClientAsync(cancellationToken);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        _open[client] = 0;
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                if (!Http)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(Id));
                    return;
                }

                // Keep-alive, requests without bodies (GET): each head, ended by an empty line, gets one answer.
                string answer = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Id.Length}\r\n\r\n{Id}";
                byte[] answerBytes = Encoding.ASCII.GetBytes(answer);
                var pending = new StringBuilder();
                byte[] buffer = new byte[4096];
                while (true)
                {
                    int read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }

                    pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    string text = pending.ToString();
                    int end;
                    while ((end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                    {
                        text = text[(end + 4)..];
                        await stream.WriteAsync(answerBytes);
                    }

                    pending.Clear().Append(text);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            finally
            {
                _open.TryRemove(client, out _);
            }
        }
    }
}
