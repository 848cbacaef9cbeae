using System.Buffers;
using Burrow.Mux.Buffers;

namespace Burrow.Mux.Tests.Buffers;

public sealed class BlockMemoryPoolTests
{
    [Fact]
    public void Trim_lets_go_of_the_blocks_a_burst_left_and_keeps_what_a_steady_load_uses()
    {
        using var pool = new BlockMemoryPool(blockSize: 1024, maxRetained: 64);
        IMemoryOwner<byte>[] burst = [.. Enumerable.Range(0, 10).Select(_ => pool.Rent())];
        foreach (IMemoryOwner<byte> block in burst)
        {
            block.Dispose();
        }

        Assert.Equal(10, pool.Retained);
        Assert.Equal(0, pool.Trim()); // the burst was in this period

        for (int round = 0; round < 5; round++)
        {
            IMemoryOwner<byte>[] inUse = [pool.Rent(), pool.Rent()];
            foreach (IMemoryOwner<byte> block in inUse)
            {
                block.Dispose();
            }
        }

        Assert.Equal(8 * 1024, pool.Trim()); // two in steady use stay
        Assert.Equal(2, pool.Retained);
        Assert.Equal(2 * 1024, pool.Trim()); // then idle: they go too
        Assert.Equal(0, pool.Retained);
    }
}
