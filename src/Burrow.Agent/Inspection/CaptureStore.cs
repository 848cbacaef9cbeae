using System.Globalization;
using System.Security.Cryptography;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The recent captured requests, newest kept, within a byte budget: encoded records (<see cref="CaptureRecord"/>) one
/// after another in a <see cref="CaptureArena"/>, and a small index in arrival order. Readers get parsed copies
/// (<see cref="CapturedExchange"/>); <see cref="Added"/> tells live views about each new entry.
/// </summary>
/// <remarks>
/// Adding a request costs one copy of its head and body prefix into the arena under the lock, and no object that
/// outlives the request. Reads copy the records they want out under the lock and parse them outside it.
/// </remarks>
internal sealed class CaptureStore
{
    private readonly Lock _lock = new();
    private readonly CaptureArena _arena;
    private readonly string _idPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    // The index, oldest first: a ring of entries.
    private Entry[] _entries = new Entry[256];
    private int _first;
    private int _count;
    private readonly List<string> _tunnelNames = [];
    private long _nextSequence;
    // Records appended since the start: the newest one held is number _appended - 1.
    private long _appended;
    // Where the next record goes in the arena.
    private long _end;

    /// <param name="budgetBytes">What the records may take in all.</param>
    public CaptureStore(long budgetBytes)
    {
        BudgetBytes = budgetBytes;
        _arena = new CaptureArena(budgetBytes);
    }

    /// <summary>Raised after an entry is stored, outside the store's lock, when someone listens (the entry is parsed for it).</summary>
    public event Action<CapturedExchange>? Added;

    /// <summary>Raised after <see cref="Clear"/>.</summary>
    public event Action? Cleared;

    public long BudgetBytes { get; }

    /// <summary>Bytes held by the stored records.</summary>
    public long Bytes { get; private set; }

    /// <summary>Requests not kept because one alone was larger than the whole budget.</summary>
    public long Dropped { get; private set; }

    /// <summary>Bytes of memory the store has taken so far (it takes its budget as it fills, a block at a time).</summary>
    public long AllocatedBytes
    {
        get
        {
            lock (_lock)
            {
                return _arena.Allocated;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>A number for a new capture; its id (<see cref="IdOf"/>) is shaped like ngrok's.</summary>
    public long NextSequence() => Interlocked.Increment(ref _nextSequence);

    /// <summary>16 hex digits: a per-run prefix and the sequence.</summary>
    public string IdOf(long sequence) => _idPrefix + sequence.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Stores a finished capture, forgetting the oldest as needed; false when it alone was larger than the budget. The capture's buffers stay the caller's.</summary>
    public bool Add(PendingCapture capture, string tunnelName)
    {
        int size = CaptureRecord.Size(capture);
        long ordinal;
        lock (_lock)
        {
            if (size > _arena.Capacity)
            {
                Dropped++;
                return false;
            }

            // Make room: the oldest records go until this one fits in the circle.
            while (_count > 0 && _end + size - At(0).Position > _arena.Capacity)
            {
                Bytes -= At(0).Length;
                _first = (_first + 1) % _entries.Length;
                _count--;
            }

            Span<byte> destination = _arena.Contiguous(_end, size);
            if (!destination.IsEmpty)
            {
                CaptureRecord.Write(capture, destination);
            }
            else
            {
                // Across a block boundary: encoded aside, then copied in two pieces.
                byte[] aside = CaptureBuffers.Rent(size);
                CaptureRecord.Write(capture, aside.AsSpan(0, size));
                _arena.Write(_end, aside.AsSpan(0, size));
                CaptureBuffers.Return(aside);
            }

            Append(new Entry(capture.Sequence, TunnelIndex(tunnelName), _end, size));
            _end += size;
            ordinal = _appended - 1;
            Bytes += size;
        }

        if (Added is { } added && ReadAppended(ordinal) is { } exchange)
        {
            added(exchange);
        }

        return true;
    }

    public CapturedExchange? Get(string id)
    {
        if (!TryParseId(id, out long sequence))
        {
            return null;
        }

        // Newest first: what people look up is recent.
        lock (_lock)
        {
            for (int i = _count - 1; i >= 0; i--)
            {
                if (At(i).Sequence == sequence)
                {
                    return ReadAppended(_appended - _count + i);
                }
            }
        }

        return null;
    }

    /// <summary>Newest first, optionally of one tunnel, at most <paramref name="limit"/>.</summary>
    public List<CapturedExchange> List(int limit, string? tunnelName)
    {
        var copies = new List<(byte[] Record, long Sequence, string Tunnel)>(Math.Min(limit, 256));
        lock (_lock)
        {
            int tunnel = tunnelName is null ? -1 : _tunnelNames.IndexOf(tunnelName);
            if (tunnelName is not null && tunnel < 0)
            {
                return [];
            }

            for (int i = _count - 1; i >= 0 && copies.Count < limit; i--)
            {
                ref Entry entry = ref At(i);
                if (tunnel < 0 || entry.Tunnel == tunnel)
                {
                    copies.Add((Copy(entry), entry.Sequence, _tunnelNames[entry.Tunnel]));
                }
            }
        }

        return copies.ConvertAll(c => CaptureRecord.Read(c.Record, IdOf(c.Sequence), c.Tunnel, IdOf));
    }

    public void Clear()
    {
        lock (_lock)
        {
            _arena.Clear();
            _first = 0;
            _count = 0;
            Bytes = 0;
        }

        Cleared?.Invoke();
    }

    // The record appended as number ORDINAL (since the start), if it is still held.
    private CapturedExchange? ReadAppended(long ordinal)
    {
        byte[] record;
        Entry entry;
        string tunnel;
        lock (_lock)
        {
            // Gone already when a burst of adds overtook a live view.
            long index = ordinal - (_appended - _count);
            if (index < 0 || index >= _count)
            {
                return null;
            }

            entry = At((int)index);
            record = Copy(entry);
            tunnel = _tunnelNames[entry.Tunnel];
        }

        return CaptureRecord.Read(record, IdOf(entry.Sequence), tunnel, IdOf);
    }

    /// <summary>The sequence in an id of this store.</summary>
    public bool TryParseId(string id, out long sequence)
    {
        sequence = 0;
        return id.Length > _idPrefix.Length && id.StartsWith(_idPrefix, StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(_idPrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out sequence);
    }

    private byte[] Copy(in Entry entry)
    {
        byte[] record = new byte[entry.Length];
        _arena.Read(entry.Position, record);
        return record;
    }

    private void Append(Entry entry)
    {
        if (_count == _entries.Length)
        {
            var grown = new Entry[_entries.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                grown[i] = At(i);
            }

            _entries = grown;
            _first = 0;
        }

        _entries[(_first + _count) % _entries.Length] = entry;
        _count++;
        _appended++;
    }

    private ref Entry At(int index) => ref _entries[(_first + index) % _entries.Length];

    private int TunnelIndex(string name)
    {
        int index = _tunnelNames.IndexOf(name);
        if (index < 0)
        {
            _tunnelNames.Add(name);
            index = _tunnelNames.Count - 1;
        }

        return index;
    }

    // Where a record lies in the arena (positions count up for ever), whose it is, and its number.
    private readonly record struct Entry(long Sequence, int Tunnel, long Position, int Length);
}
