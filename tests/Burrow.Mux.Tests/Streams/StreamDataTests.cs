using Burrow.Mux.Errors;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Streams;

public sealed class StreamDataTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Open_write_halfclose_echo_arrives_intact_in_both_roles(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        foreach (var serverOpens in new[] { false, true })
        {
            var (opener, acceptor) = pair.Roles(serverOpens);
            var ct = TestData.Timeout();
            var payload = TestData.Random(3 * 1024 * 1024 + 17, seed: serverOpens ? 2 : 1);

            var echo = Task.Run(async () =>
            {
                await using var accepted = await acceptor.AcceptStreamAsync(ct);
                await accepted.CopyToAsync(accepted, ct);
                accepted.CompleteWrites();
            }, ct);

            await using var stream = await opener.OpenStreamAsync(ct);
            Assert.Equal(serverOpens ? 0u : 1u, stream.Id % 2);
            var write = Task.Run(async () =>
            {
                await stream.WriteAsync(payload, ct);
                stream.CompleteWrites();
            }, ct);
            var echoed = await TestData.ReadToEndAsync(stream, ct);
            await write;
            await echo;

            Assert.Equal(TestData.Hash(payload), TestData.Hash(echoed));
        }
    }

    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task HalfClose_peer_reads_eof_and_still_writes_back(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var ct = TestData.Timeout();
        await using var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync("question"u8.ToArray(), ct);
        stream.CompleteWrites();
        await stream.WritesClosed.WaitAsync(ct);

        await using var accepted = await pair.Server.AcceptStreamAsync(ct);
        var question = await TestData.ReadToEndAsync(accepted, ct);
        Assert.Equal("question"u8.ToArray(), question);

        // The server's write side is still open after the client's FIN.
        await accepted.WriteAsync("answer"u8.ToArray(), ct);
        accepted.CompleteWrites();
        var answer = await TestData.ReadToEndAsync(stream, ct);
        Assert.Equal("answer"u8.ToArray(), answer);
        await stream.ReadsClosed.WaitAsync(ct);
    }

    [Fact]
    public async Task Write_after_CompleteWrites_fails_with_WritesCompleted()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        await using var stream = await pair.Client.OpenStreamAsync();
        stream.CompleteWrites();
        var ex = await Assert.ThrowsAsync<MuxStreamException>(async () => await stream.WriteAsync(new byte[1]));
        Assert.Equal(MuxError.WritesCompleted, ex.Error);
    }

    [Fact]
    public async Task Data_sent_before_ack_is_delivered()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp);
        var ct = TestData.Timeout();
        // Write right after open, before the server has accepted (yamux allows data after SYN at once).
        await using var stream = await pair.Client.OpenStreamAsync(ct);
        await stream.WriteAsync("early"u8.ToArray(), ct);
        stream.CompleteWrites();

        await using var accepted = await pair.Server.AcceptStreamAsync(ct);
        Assert.Equal("early"u8.ToArray(), await TestData.ReadToEndAsync(accepted, ct));
    }

    [Fact]
    public async Task Stream_ids_are_odd_for_client_and_even_for_server_and_increase()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var c1 = await pair.Client.OpenStreamAsync();
        var c2 = await pair.Client.OpenStreamAsync();
        var s1 = await pair.Server.OpenStreamAsync();
        var s2 = await pair.Server.OpenStreamAsync();
        Assert.Equal([1u, 3u, 2u, 4u], [c1.Id, c2.Id, s1.Id, s2.Id]);
    }

    [Fact]
    public async Task Zero_byte_read_waits_for_data_without_consuming_it()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var ct = TestData.Timeout();
        await using var stream = await pair.Client.OpenStreamAsync(ct);
        await using var accepted = await pair.Server.AcceptStreamAsync(ct);
        var zeroRead = accepted.ReadAsync(Memory<byte>.Empty, ct).AsTask();
        Assert.False(zeroRead.IsCompleted);
        await stream.WriteAsync("x"u8.ToArray(), ct);
        Assert.Equal(0, await zeroRead);
        var one = new byte[1];
        Assert.Equal(1, await accepted.ReadAsync(one, ct));
        Assert.Equal((byte)'x', one[0]);
    }
}
