using System.Buffers;
using Burrow.Mux.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Burrow.Edge.Hosting;

/// <summary>
/// Gives Kestrel 64 KiB blocks for its connection pipes (<see cref="SharedBlockPools.Connections"/>) instead of its own
/// 4 KiB ones. On uploads through the edge, Kestrel made a 1-byte peek and a 4 KiB receive per 4 KiB of body, about
/// 520,000 system calls per GiB; with 64 KiB blocks the edge spent 40 % less CPU per GiB uploaded and moved 10-25 %
/// more (bench/peers/quick.sh, docs/data-path-2.md §3), with the same peak memory at 256 and at 10,000 connections.
/// </summary>
/// <remarks>Every pool Kestrel asks for is the one shared pool; Kestrel disposing it at shutdown releases nothing, since
/// another edge in the same process (tests, the agent's in-process edge) may still use it.</remarks>
internal sealed class ConnectionMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => SharedBlockPools.Connections;
}
