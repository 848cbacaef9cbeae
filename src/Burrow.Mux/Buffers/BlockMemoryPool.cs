using System.Buffers;
using System.Collections.Concurrent;

namespace Burrow.Mux.Buffers;

/// <summary>
/// A pool of fixed-size pinned blocks for the pipes on the data path. <see cref="MemoryPool{T}.Shared"/>
/// allocates a new owner object per rent; this one recycles the owners too, so moving a frame
/// through a pipe allocates nothing once the pool is warm (the same idea as Kestrel's block pool).
/// </summary>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    /// <summary>16 KiB: a TLS record's worth; a 64 KiB frame spans four or five blocks.</summary>
    public const int DefaultBlockSize = 16 * 1024;

    private readonly ConcurrentQueue<Block> _blocks = new();
    private readonly int _maxRetained;
    private int _retained;
    private int _lowWater;

    public BlockMemoryPool(int blockSize = DefaultBlockSize, int maxRetained = 8192)
    {
        BlockSize = blockSize;
        _maxRetained = maxRetained;
    }

    /// <summary>One pool for the process: blocks freed by one session serve the next.</summary>
    public static BlockMemoryPool Instance { get; } = new();

    /// <summary>
    /// 64 KiB blocks for reading a transport stream: one socket read takes up to a block, and at
    /// 16 KiB the receiving side made four times as many reads (and TCP ACKs) per byte. Held only
    /// while data is waiting, since the session reads with zero-byte reads. Capped at 128 MiB retained, as <see cref="Instance"/>.
    /// </summary>
    public static BlockMemoryPool TransportRead { get; } = new(64 * 1024, maxRetained: 2048);

    /// <summary>
    /// 128 KiB blocks for writing a transport stream: a stream pipe writer sends each block with
    /// its own write call, so a block that holds a whole flush (up to the writer's 128 KiB
    /// threshold) makes one send where 16 KiB blocks made eight. Held only until the flush.
    /// </summary>
    public static BlockMemoryPool TransportWrite { get; } = new(128 * 1024, maxRetained: 1024);

    /// <summary>
    /// 64 KiB blocks for the edge's public connections (Kestrel's pipes, <see cref="SharedBlockPools.Connections"/>):
    /// Kestrel's own pool has 4 KiB blocks, so a client's upload took one receive call (and a 1-byte peek) per 4 KiB.
    /// Held only while bytes wait to be parsed or sent, since Kestrel reads with zero-byte reads first.
    /// </summary>
    public static BlockMemoryPool Connections { get; } = new(64 * 1024, maxRetained: 1024);

    /// <summary>How often the shared pools let go of blocks that no rental needed.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    // Declared after the pools it trims (static fields initialize in order); runs for the life of the process.
    private static readonly Timer Trimmer = new(static _ => TrimIdle(), null, TrimInterval, TrimInterval);

    public int BlockSize { get; }

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            // Rare: pipes ask for more than a block only when a caller passes a large size hint.
            return new OversizedBlock(minBufferSize);
        }

        if (_blocks.TryDequeue(out var block))
        {
            int left = Interlocked.Decrement(ref _retained);
            // The fewest blocks kept since the last trim: those were idle the whole time (see Trim).
            int low;
            while (left < (low = Volatile.Read(ref _lowWater)) && Interlocked.CompareExchange(ref _lowWater, left, low) != low)
            {
            }

            return block;
        }

        Volatile.Write(ref _lowWater, 0);

        return new Block(this, BlockSize);
    }

    /// <summary>
    /// Lets go of the blocks no rental needed since the last trim (a burst's leftovers), so the pool follows the
    /// recent demand instead of the highest ever; returns the bytes let go. Approximate under concurrent use.
    /// </summary>
    internal long Trim()
    {
        int idle = Math.Min(Interlocked.Exchange(ref _lowWater, Volatile.Read(ref _retained)), Volatile.Read(ref _retained));
        int dropped = 0;
        while (dropped < idle && _blocks.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _retained);
            dropped++;
        }

        Volatile.Write(ref _lowWater, Volatile.Read(ref _retained));
        return (long)dropped * BlockSize;
    }

    /// <summary>Blocks kept now (for tests).</summary>
    internal int Retained => Volatile.Read(ref _retained);

    /// <summary>Trims the process's pools; the timer does it every <see cref="TrimInterval"/>.</summary>
    internal static void TrimIdle()
    {
        long released = Instance.Trim() + TransportRead.Trim() + TransportWrite.Trim() + Connections.Trim();
        if (released >= 8 * 1024 * 1024)
        {
            // An idle process allocates nothing, so no collection would come to give the memory back: ask for one.
            GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false);
        }
    }

    private void Return(Block block)
    {
        // Beyond the cap the block is left to the GC, so a burst does not pin memory for ever.
        if (Interlocked.Increment(ref _retained) <= _maxRetained)
        {
            _blocks.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    protected override void Dispose(bool disposing)
    {
        // The shared instance lives as long as the process; nothing to release.
    }

    private sealed class Block(BlockMemoryPool pool, int size) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool.Return(this);
    }

    private sealed class OversizedBlock(int size) : IMemoryOwner<byte>
    {
        private byte[]? _array = ArrayPool<byte>.Shared.Rent(size);

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(OversizedBlock));

        public void Dispose()
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
