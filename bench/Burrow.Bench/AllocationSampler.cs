using System.Diagnostics.Tracing;

namespace Burrow.Bench;

/// <summary>
/// Says which types the allocations are, without a profiler: the runtime raises an AllocationTick
/// event about every 100 KB allocated (all threads), naming the type of the object that crossed
/// the line. Counting those per type is a sampling profile of allocated bytes.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly Dictionary<string, long> _bytesByType = [];
    private readonly Lock _lock = new();
    private bool _recording;

    public void Start()
    {
        lock (_lock)
        {
            _bytesByType.Clear();
            _recording = true;
        }
    }

    /// <summary>Stops recording and returns (type, sampled bytes), largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        lock (_lock)
        {
            _recording = false;
            return [.. _bytesByType.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "GCAllocationTick_V4" || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (_recording)
            {
                _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
            }
        }
    }
}
