using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A raw TCP upstream on loopback: <see cref="Mode.Echo"/> sends back every byte (and half-closes
/// after the client's FIN); <see cref="Mode.HashAfterEof"/> answers only after the client's FIN,
/// with the hex SHA-256 of all it read. Counts the connections it accepted.
/// </summary>
public sealed class TcpUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Mode _mode;
    private int _accepted;

    private TcpUpstream(Mode mode)
    {
        _mode = mode;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(256);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptLoopAsync();
    }

    public enum Mode
    {
        Echo,
        HashAfterEof,
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public static TcpUpstream Start(Mode mode) => new(mode);

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
                Interlocked.Increment(ref _accepted);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
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
                byte[] buffer = new byte[64 * 1024];
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                {
                    if (_mode == Mode.Echo)
                    {
                        await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                    }
                    else
                    {
                        hash.AppendData(buffer, 0, read);
                    }
                }

                if (_mode == Mode.HashAfterEof)
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash.GetHashAndReset())), SocketFlags.None, _stop.Token);
                }

                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away.
            }
        }
    }
}
