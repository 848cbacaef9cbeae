using System.Threading.Channels;
using Burrow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// Writes audit events to the store from one background loop, so sessions and binds never wait
/// on the database for them: whatever has queued up is written in one transaction (one disk flush
/// per batch, so the trail keeps up with hundreds of sessions a second). The queue is bounded;
/// when the database falls that far behind, events are dropped and counted in the log rather than
/// holding up agents. On stop the queue is drained, for up to 10 s.
/// </summary>
internal sealed partial class AuditTrail : IHostedService
{
    private const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly ControlPlane _plane;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<NewAuditEvent> _queue = Channel.CreateBounded<NewAuditEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private Task _writer = Task.CompletedTask;
    private long _dropped;

    public AuditTrail(ControlPlane plane, TimeProvider time, ILogger<AuditTrail> logger)
    {
        _plane = plane;
        _time = time;
        _logger = logger;
    }

    /// <summary>Queues an event (stamped now); does nothing for an edge without a store.</summary>
    public void Write(NewAuditEvent auditEvent)
    {
        if (_plane.Store is null)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(auditEvent with { At = auditEvent.At ?? _time.GetUtcNow() }))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_plane.Store is { } store)
        {
            _writer = Task.Run(() => WriteLoopAsync(store), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(DrainTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.AuditDropped(_logger, _queue.Reader.Count);
        }
    }

    private async Task WriteLoopAsync(IControlStore store)
    {
        var batch = new List<NewAuditEvent>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out NewAuditEvent? auditEvent))
            {
                batch.Add(auditEvent);
            }

            try
            {
                // Microsoft.Data.Sqlite does its I/O synchronously, and a commit waits for fsync: on
                // a thread of its own, so a slow disk never holds a thread-pool thread that agents'
                // keepalives and binds are waiting for (on 2 cores the pool starts with 2 threads).
                await Task.Factory.StartNew(
                    () => store.AppendAuditEventsAsync(batch), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                    .Unwrap().ConfigureAwait(false);
            }
            catch (StoreException ex)
            {
                Log.AuditWriteFailed(_logger, batch.Count, ex.Message);
            }

            long dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                Log.AuditDropped(_logger, dropped);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1610, EventName = "AuditWriteFailed", Level = LogLevel.Error, Message = "Could not write {Count} audit events: {Reason}")]
        public static partial void AuditWriteFailed(ILogger logger, int count, string reason);

        [LoggerMessage(EventId = 1611, EventName = "AuditDropped", Level = LogLevel.Error, Message = "{Count} audit events were dropped: the control store is too slow")]
        public static partial void AuditDropped(ILogger logger, long count);
    }
}
