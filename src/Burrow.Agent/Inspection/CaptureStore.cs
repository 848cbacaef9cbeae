using System.Globalization;
using System.Security.Cryptography;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The recent captured requests: a ring bounded by a byte budget, oldest evicted first. Readers get
/// snapshots; <see cref="Added"/> tells live views about each new entry.
/// </summary>
internal sealed class CaptureStore
{
    private readonly Lock _lock = new();
    private readonly LinkedList<CapturedExchange> _entries = new();
    private readonly Dictionary<string, LinkedListNode<CapturedExchange>> _byId = new(StringComparer.Ordinal);
    private readonly string _idPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private long _nextId;

    public CaptureStore(long budgetBytes)
    {
        BudgetBytes = budgetBytes;
    }

    /// <summary>Raised after an entry is stored, outside the store's lock.</summary>
    public event Action<CapturedExchange>? Added;

    /// <summary>Raised after <see cref="Clear"/>.</summary>
    public event Action? Cleared;

    public long BudgetBytes { get; }

    /// <summary>Bytes held by the stored entries (estimated from their contents).</summary>
    public long Bytes { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>A new id, shaped like ngrok's (16 hex digits: a per-run prefix and a counter).</summary>
    public string NextId() => _idPrefix + Interlocked.Increment(ref _nextId).ToString("x8", CultureInfo.InvariantCulture);

    public void Add(CapturedExchange exchange)
    {
        long size = exchange.Footprint;
        if (size > BudgetBytes)
        {
            return;
        }

        lock (_lock)
        {
            _byId[exchange.Id] = _entries.AddLast(exchange);
            Bytes += size;
            while (Bytes > BudgetBytes && _entries.First is { } oldest)
            {
                _entries.RemoveFirst();
                _byId.Remove(oldest.Value.Id);
                Bytes -= oldest.Value.Footprint;
            }
        }

        Added?.Invoke(exchange);
    }

    public CapturedExchange? Get(string id)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(id, out var node) ? node.Value : null;
        }
    }

    /// <summary>Newest first, optionally of one tunnel, at most <paramref name="limit"/>.</summary>
    public List<CapturedExchange> List(int limit, string? tunnelName)
    {
        var list = new List<CapturedExchange>(Math.Min(limit, 256));
        lock (_lock)
        {
            for (var node = _entries.Last; node is not null && list.Count < limit; node = node.Previous)
            {
                if (tunnelName is null || node.Value.TunnelName == tunnelName)
                {
                    list.Add(node.Value);
                }
            }
        }

        return list;
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _byId.Clear();
            Bytes = 0;
        }

        Cleared?.Invoke();
    }
}
