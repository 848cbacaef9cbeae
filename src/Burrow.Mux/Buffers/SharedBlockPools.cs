using System.Buffers;

namespace Burrow.Mux.Buffers;

/// <summary>The process's block pools that other layers use too; trimmed every 10 s with the mux's own.</summary>
public static class SharedBlockPools
{
    /// <summary>
    /// 64 KiB pinned blocks for the pipes of the edge's public connections. One receive call fills up to a block, where
    /// Kestrel's own 4 KiB blocks took sixteen calls (each after a 1-byte peek) for the same upload; a block is held only
    /// while bytes wait in a pipe, so idle and keep-alive connections hold none.
    /// </summary>
    public static MemoryPool<byte> Connections => BlockMemoryPool.Connections;
}
