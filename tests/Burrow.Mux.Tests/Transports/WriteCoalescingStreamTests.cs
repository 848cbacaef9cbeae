using Burrow.Mux.Transport;

namespace Burrow.Mux.Tests.Transports;

public sealed class WriteCoalescingStreamTests
{
    [Fact]
    public async Task Writes_pass_through_until_coalescing_is_on()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        await using var coalescing = new WriteCoalescingStream(client);
        await using var _ = server;
        var ct = TestData.Timeout(10);

        await coalescing.WriteAsync(new byte[] { 1, 2, 3 }, ct);
        Assert.Equal(0, coalescing.Buffered);
        Assert.Equal(new byte[] { 1, 2, 3 }, await ReadExactlyAsync(server, 3, ct));
    }

    [Fact]
    public async Task Coalesced_writes_wait_for_the_flush_and_arrive_in_order()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        await using var coalescing = new WriteCoalescingStream(client) { Coalescing = true };
        await using var _ = server;
        var ct = TestData.Timeout(10);
        var payload = TestData.Random(100_000, seed: 7);

        // Records of TLS-like sizes, as SslStream writes them.
        for (var offset = 0; offset < payload.Length; offset += 16_406)
        {
            await coalescing.WriteAsync(payload.AsMemory(offset, Math.Min(16_406, payload.Length - offset)), ct);
        }

        Assert.Equal(payload.Length, coalescing.Buffered);
        var early = new byte[1];
        var earlyRead = server.ReadAsync(early, ct).AsTask();
        await Task.Delay(100, ct);
        Assert.False(earlyRead.IsCompleted, "nothing may be sent before the flush");

        await coalescing.FlushAsync(ct);
        Assert.Equal(0, coalescing.Buffered);
        Assert.Equal(1, await earlyRead);
        var rest = await ReadExactlyAsync(server, payload.Length - 1, ct);
        Assert.Equal(payload, early.Concat(rest).ToArray());
    }

    [Fact]
    public async Task A_batch_beyond_the_capacity_is_sent_without_waiting_for_the_flush()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        await using var coalescing = new WriteCoalescingStream(client, capacity: 64 * 1024) { Coalescing = true };
        await using var _ = server;
        var ct = TestData.Timeout(10);
        var payload = TestData.Random(200_000, seed: 11);

        var reading = ReadExactlyAsync(server, payload.Length, ct);
        for (var offset = 0; offset < payload.Length; offset += 30_000)
        {
            await coalescing.WriteAsync(payload.AsMemory(offset, Math.Min(30_000, payload.Length - offset)), ct);
            Assert.True(coalescing.Buffered <= 64 * 1024);
        }

        // Everything but the last partial batch is on the wire already.
        Assert.True(coalescing.Buffered < payload.Length);
        await coalescing.FlushAsync(ct);
        Assert.Equal(payload, await reading);
    }

    [Fact]
    public async Task Synchronous_writes_and_flush_send_in_order_too()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        await using var coalescing = new WriteCoalescingStream(client) { Coalescing = true };
        await using var _ = server;
        var ct = TestData.Timeout(10);

        await coalescing.WriteAsync(new byte[] { 1, 2 }, ct);
        coalescing.Write([3, 4], 0, 2);   // sends what was buffered first, then these
        Assert.Equal(0, coalescing.Buffered);
        await coalescing.WriteAsync(new byte[] { 5 }, ct);
        coalescing.Flush();

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, await ReadExactlyAsync(server, 5, ct));
    }

    [Fact]
    public async Task Dispose_sends_what_was_buffered()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        await using var _ = server;
        var ct = TestData.Timeout(10);
        var coalescing = new WriteCoalescingStream(client) { Coalescing = true };
        await coalescing.WriteAsync(new byte[] { 9, 8, 7 }, ct);
        await coalescing.DisposeAsync();

        Assert.Equal(new byte[] { 9, 8, 7 }, await ReadExactlyAsync(server, 3, ct));
        Assert.Equal(0, await server.ReadAsync(new byte[1], ct));
    }

    [Fact]
    public async Task A_write_to_a_closed_peer_fails_at_the_flush_and_dispose_still_closes()
    {
        var (client, server) = await Loopback.ConnectTcpAsync();
        var ct = TestData.Timeout(10);
        var coalescing = new WriteCoalescingStream(client) { Coalescing = true };
        await server.DisposeAsync();

        var chunk = new byte[64 * 1024];
        var failed = false;
        for (var i = 0; i < 200 && !failed; i++)
        {
            try
            {
                await coalescing.WriteAsync(chunk, ct);
                await coalescing.FlushAsync(ct);
            }
            catch (IOException)
            {
                failed = true;
            }
        }

        Assert.True(failed, "writing to a closed peer must fail, not buffer for ever");
        await coalescing.DisposeAsync();
    }

    [Fact]
    public void The_capacity_must_hold_a_TLS_record()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteCoalescingStream(new MemoryStream(), capacity: 1024));
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }
}
