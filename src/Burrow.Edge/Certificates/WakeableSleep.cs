namespace Burrow.Edge.Certificates;

/// <summary>
/// The sleep between two looks of a certificate loop, which <see cref="Wake"/> ends early: an edge that revoked a
/// certificate replaces it now rather than at the loop's next look (up to the poll interval away).
/// </summary>
internal sealed class WakeableSleep(TimeProvider time, TimeSpan longest)
{
    private readonly Lock _lock = new();
    private CancellationTokenSource? _sleeping;
    private bool _woken;

    /// <summary>Sleeps <paramref name="wait"/> (0 to <c>longest</c>), or until <see cref="Wake"/>; throws only when <paramref name="cancellationToken"/> ends.</summary>
    public async Task SleepAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_lock)
        {
            if (_woken)
            {
                // Woken between two sleeps: this one is skipped.
                _woken = false;
                return;
            }

            _sleeping = sleeping;
        }

        try
        {
            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > longest ? longest : wait, time, sleeping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_lock)
            {
                _sleeping = null;
                _woken = false;
            }
        }
    }

    /// <summary>Ends the current sleep, or the next one before it starts.</summary>
    public void Wake()
    {
        CancellationTokenSource? sleeping;
        lock (_lock)
        {
            sleeping = _sleeping;
            _woken = sleeping is null;
        }

        // Outside the lock: the sleeper's continuation may run inside Cancel, and it takes the lock.
        try
        {
            sleeping?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That sleep had just ended.
        }
    }
}
