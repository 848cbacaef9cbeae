using System.Buffers;
using System.Net.Security;
using Burrow.Mux;

namespace Burrow.Agent.Forwarding;

/// <summary>
/// Copies bytes both ways between a proxy stream and an upstream connection, carrying half-close
/// (FIN one way does not stop the other) and aborting both sides when either fails.
/// </summary>
/// <remarks>
/// Each copy waits with a zero-byte read before it rents a buffer, so idle pooled connections
/// (most of them) hold no memory; while reads keep filling the buffer (a bulk transfer) it
/// skips that wait. 64 KiB per read matches the socket buffers on loopback.
/// </remarks>
internal static class BytePump
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Pumps until both directions end; <paramref name="tls"/> is the agent's TLS over <paramref name="tunnel"/>, when it terminates TLS.</summary>
    public static async Task RunAsync(MuxStream tunnel, SslStream? tls, UpstreamConnection upstream)
    {
        Task toUpstream = CopyToUpstreamAsync(tls ?? (Stream)tunnel, upstream);
        Task toTunnel = CopyToTunnelAsync(upstream, tunnel, tls);
        Task first = await Task.WhenAny(toUpstream, toTunnel).ConfigureAwait(false);
        if (first.IsFaulted)
        {
            tunnel.Abort();
            upstream.Abort();
        }

        try
        {
            await Task.WhenAll(toUpstream, toTunnel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            tunnel.Abort();
            upstream.Abort();
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            await tunnel.DisposeAsync().ConfigureAwait(false);
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task CopyToUpstreamAsync(Stream tunnel, UpstreamConnection upstream)
    {
        await CopyAsync(tunnel, upstream.Stream).ConfigureAwait(false);
        await upstream.ShutdownSendAsync().ConfigureAwait(false);
    }

    private static async Task CopyToTunnelAsync(UpstreamConnection upstream, MuxStream tunnel, SslStream? tls)
    {
        await CopyAsync(upstream.Stream, tls ?? (Stream)tunnel).ConfigureAwait(false);
        if (tls is not null)
        {
            // close_notify first, so the client knows the end is genuine and not a truncation.
            await tls.ShutdownAsync().ConfigureAwait(false);
        }

        tunnel.CompleteWrites();
    }

    private static async Task CopyAsync(Stream source, Stream destination)
    {
        var waitFirst = true;
        while (true)
        {
            if (waitFirst)
            {
                await source.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read = await source.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                // A full buffer means more is probably waiting: read again at once rather than
                // spend a system call asking whether data is there.
                waitFirst = read < buffer.Length;

                await destination.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                await destination.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
