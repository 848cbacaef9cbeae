using System.Threading.Channels;
using Burrow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Access;

/// <summary>
/// Writes audit events to the store from one background loop, so sessions and binds never wait
/// on the database for them. The queue is bounded; when the database falls that far behind, events
/// are dropped and counted in the log rather than holding up agents. On stop the queue is drained.
/// </summary>
internal sealed partial class AuditTrail : IHostedService
{
    private const int Capacity = 10_000;
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
        await _writer.WaitAsync(DrainTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every event queued so far is written (tests, benchmarks).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (_queue.Reader.Count > 0)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync(IControlStore store)
    {
        await foreach (NewAuditEvent auditEvent in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await store.AppendAuditEventAsync(auditEvent).ConfigureAwait(false);
            }
            catch (StoreException ex)
            {
                Log.AuditWriteFailed(_logger, auditEvent.Kind, ex.Message);
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
        [LoggerMessage(EventId = 1610, EventName = "AuditWriteFailed", Level = LogLevel.Error, Message = "Could not write a {Kind} audit event: {Reason}")]
        public static partial void AuditWriteFailed(ILogger logger, string kind, string reason);

        [LoggerMessage(EventId = 1611, EventName = "AuditDropped", Level = LogLevel.Error, Message = "{Count} audit events were dropped: the control store is too slow")]
        public static partial void AuditDropped(ILogger logger, long count);
    }
}
