namespace Burrow.Protocol.Pumping;

/// <summary>
/// Copies bytes both ways between two ends until both directions are done: the end of one
/// side's input half-closes the other side (it may still answer), a failure either way aborts
/// both. Used for TCP and TLS pass-through tunnels at the edge and for every proxy stream the agent pumps.
/// </summary>
/// <remarks>
/// Each copy waits with a zero-byte read before it rents a buffer, so idle connections (most
/// pooled ones) hold no memory. A burst starts with a small buffer (<see cref="PumpBuffers"/>);
/// a read that fills it means bulk, and the copy moves to a large one (64 KiB, the socket buffers
/// on loopback and the mux's largest frame) and keeps it, skipping the zero-byte wait, while reads
/// keep filling it. No allocation per chunk: one pooled buffer per direction at a time.
/// </remarks>
public static class DuplexPump
{
    /// <summary>
    /// Pumps between <paramref name="a"/> and <paramref name="b"/> until both directions end, then
    /// disposes both. <paramref name="beforeFirstByteToA"/>, when given, runs before anything is
    /// written to <paramref name="a"/> (the edge waits for the agent's proxy result); false aborts both.
    /// </summary>
    /// <returns>True when both directions ended cleanly; false when the ends were aborted.</returns>
    public static async Task<bool> RunAsync(PumpEnd a, PumpEnd b, IPumpActivity? activity = null, Func<Task<bool>>? beforeFirstByteToA = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Task toB = DirectionAsync(a, b, towardB: true, activity, gate: null);
        Task toA = DirectionAsync(b, a, towardB: false, activity, beforeFirstByteToA);
        var clean = true;
        try
        {
            // The first failure aborts both ends at once, which ends the other direction too.
            Task first = await Task.WhenAny(toB, toA).ConfigureAwait(false);
            if (first.IsFaulted)
            {
                clean = false;
                AbortBoth(a, b);
            }

            await Task.WhenAll(toB, toA).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            if (clean)
            {
                clean = false;
                AbortBoth(a, b);
            }
        }
        finally
        {
            await a.DisposeAsync().ConfigureAwait(false);
            await b.DisposeAsync().ConfigureAwait(false);
        }

        return clean;
    }

    private static async Task DirectionAsync(PumpEnd from, PumpEnd to, bool towardB, IPumpActivity? activity, Func<Task<bool>>? gate)
    {
        if (gate is not null && !await gate().ConfigureAwait(false))
        {
            throw new IOException("the far side could not be reached");
        }

        try
        {
            await CopyAsync(from.Input, to.Output, towardB, activity).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (from.WritesCompleted)
        {
            // An end that cannot half-close (a Kestrel connection) stops its own reading when it is half-closed
            // toward (see PumpEnd): that cancelled read is this direction's end, not a failure.
        }

        await to.CompleteWritesAsync().ConfigureAwait(false);
    }

    /// <summary>Copies one direction until <paramref name="source"/> ends, with the pump's buffer policy.</summary>
    private static async Task CopyAsync(Stream source, Stream destination, bool towardB, IPumpActivity? activity)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    await source.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    buffer = PumpBuffers.RentSmall();
                }

                int read = await source.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                activity?.OnRead(towardB, read);
                await destination.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                await destination.FlushAsync().ConfigureAwait(false);
                activity?.OnWritten(towardB, read);
                if (read < buffer.Length)
                {
                    // A short read: the source is drained for now. Give the buffer back while it is idle.
                    PumpBuffers.Return(buffer);
                    buffer = null;
                }
                else if (buffer.Length < PumpBuffers.LargeSize)
                {
                    // The small buffer came back full: bulk. Larger reads from now on.
                    PumpBuffers.Return(buffer);
                    buffer = PumpBuffers.RentLarge();
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                PumpBuffers.Return(buffer);
            }
        }
    }

    private static void AbortBoth(PumpEnd a, PumpEnd b)
    {
        a.Abort();
        b.Abort();
    }

    // Any of these ends a direction (socket, TLS, mux and Kestrel resets are all IOExceptions);
    // the pump turns it into an abort of both ends.
    private static bool IsTransportFailure(Exception ex) =>
        ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException;
}
