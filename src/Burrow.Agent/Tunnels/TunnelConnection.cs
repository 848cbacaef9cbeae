using System.Net;
using System.Net.Security;
using Burrow.Mux.Streams;

namespace Burrow.Agent.Tunnels;

/// <summary>
/// One public client's connection, handed to the program itself by a tunnel opened with
/// <see cref="BurrowTunnel.ListenAsync"/> (no local port in between). Read and write <see cref="Stream"/>; dispose it
/// when done.
/// </summary>
public sealed class TunnelConnection : IAsyncDisposable
{
    private readonly MuxStream _tunnel;
    private readonly SslStream? _tls;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal TunnelConnection(MuxStream tunnel, SslStream? tls, string tunnelName, IPEndPoint? remoteEndPoint)
    {
        _tunnel = tunnel;
        _tls = tls;
        TunnelName = tunnelName;
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>The client's bytes: plain for http and tcp tunnels, decrypted when the agent terminates TLS, raw TLS otherwise.</summary>
    public Stream Stream => (Stream?)_tls ?? _tunnel;

    /// <summary>The tunnel it came through.</summary>
    public string TunnelName { get; }

    /// <summary>The public client's address as the edge saw it, when it was an IP address.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Ends this side's writes (the client reads the end of the stream) while reads go on.</summary>
    public void CompleteWrites() => _tunnel.CompleteWrites();

    /// <summary>Resets the connection: the client sees it fail rather than end.</summary>
    public void Abort()
    {
        _tunnel.Abort();
        _closed.TrySetResult();
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tls is not null)
            {
                await _tls.DisposeAsync().ConfigureAwait(false);
            }

            await _tunnel.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>Completes once the program has disposed or aborted the connection.</summary>
    internal Task Closed => _closed.Task;
}
