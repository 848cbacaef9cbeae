using System.IO.Pipelines;
using System.Text;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Tests.Messages;

namespace Burrow.Protocol.Tests.Codec;

public sealed class ControlMessageReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_returns_each_message_then_null_at_clean_eof()
    {
        byte[] bytes = Frames.Concat([.. ExampleMessages.All.Select(ControlMessageSerializer.SerializeToFrame)]);
        var reader = new ControlMessageReader(new MemoryStream(bytes));

        foreach (ControlMessage expected in ExampleMessages.All)
        {
            ControlMessage? actual = await reader.ReadAsync(Ct);
            Assert.NotNull(actual);
            Assert.Equal(ControlMessageSerializer.SerializeToJson(expected), ControlMessageSerializer.SerializeToJson(actual));
        }

        Assert.Null(await reader.ReadAsync(Ct));
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Read_of_empty_stream_returns_null()
    {
        var reader = new ControlMessageReader(new MemoryStream());

        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Read_assembles_messages_that_arrive_one_byte_at_a_time()
    {
        byte[] bytes = Frames.Concat(
            ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "a" }),
            ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "b" }));
        var reader = new ControlMessageReader(new TrickleStream(bytes));

        Assert.Equal("a", Assert.IsType<UnbindMessage>(await reader.ReadAsync(Ct)).TunnelId);
        Assert.Equal("b", Assert.IsType<UnbindMessage>(await reader.ReadAsync(Ct)).TunnelId);
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Theory]
    [InlineData(0x0001_0001u)] // one byte over the default 64 KiB
    [InlineData(0x7fff_ffffu)]
    [InlineData(0xffff_ffffu)]
    public async Task Read_oversized_length_throws_4002_without_reading_or_allocating_the_body(uint length)
    {
        var stream = new MemoryStream(Frames.Concat(Frames.Prefix(length), new byte[100]));
        var reader = new ControlMessageReader(stream);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(ErrorCodes.MessageTooLarge, ex.ErrorCode);
        Assert.Equal(4, stream.Position);
        Assert.True(allocated < 32 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task Read_length_equal_to_the_limit_is_accepted_and_one_more_is_not()
    {
        byte[] frame = ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "tun" });
        int length = frame.Length - 4;

        var atLimit = new ControlMessageReader(new MemoryStream(frame), new ControlCodecOptions { MaxMessageSize = length });
        var belowLimit = new ControlMessageReader(new MemoryStream(frame), new ControlCodecOptions { MaxMessageSize = length - 1 });

        Assert.IsType<UnbindMessage>(await atLimit.ReadAsync(Ct));
        var ex = await Assert.ThrowsAsync<ProtocolException>(() => belowLimit.ReadAsync(Ct).AsTask());
        Assert.Same(ErrorCodes.MessageTooLarge, ex.ErrorCode);
        Assert.Equal($"A message of {length} bytes exceeds the limit of {length - 1} bytes.", ex.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Read_truncated_prefix_throws_4001(int prefixBytes)
    {
        var reader = new ControlMessageReader(new MemoryStream(new byte[prefixBytes]));

        var ex = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
        Assert.Contains($"after {prefixBytes} of the 4 length-prefix bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_truncated_body_throws_4001()
    {
        byte[] frame = ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "tun" });
        var reader = new ControlMessageReader(new MemoryStream(frame[..^5]));

        var ex = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
        Assert.Contains($"after {frame.Length - 9} of {frame.Length - 4} message bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_zero_length_throws_4001()
    {
        var reader = new ControlMessageReader(new MemoryStream(Frames.Prefix(0)));

        var ex = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
    }

    [Theory]
    [InlineData("{not json", "4001")]
    [InlineData("""{"no_type":1}""", "4001")]
    [InlineData("""{"type":"teleport"}""", "4003")]
    public async Task Read_undecodable_message_throws_and_the_next_message_still_reads(string json, string code)
    {
        byte[] bytes = Frames.Concat(Frames.Of(json), ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "next" }));
        var reader = new ControlMessageReader(new MemoryStream(bytes));

        var ex = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());

        Assert.Equal($"ERR_BURROW_{code}", ex.ErrorCode.Code);
        Assert.IsNotType<System.Text.Json.JsonException>(ex);
        Assert.Equal("next", Assert.IsType<UnbindMessage>(await reader.ReadAsync(Ct)).TunnelId);
    }

    [Fact]
    public async Task Read_after_a_truncated_message_refuses_to_guess()
    {
        var reader = new ControlMessageReader(new MemoryStream(Frames.Concat(Frames.Prefix(10), "{}"u8.ToArray())));
        await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(Ct).AsTask());

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadAsync(Ct).AsTask());
    }

    [Fact]
    public async Task Read_stops_at_the_end_of_the_proxy_header_and_leaves_the_raw_bytes()
    {
        var header = new ProxyHeader { TunnelId = "tun_01", ClientAddr = "203.0.113.7:51234", Proto = "http" };
        byte[] raw = "GET / HTTP/1.1\r\nHost: demo.example.com\r\n\r\n"u8.ToArray();
        var stream = new MemoryStream(Frames.Concat(ControlMessageSerializer.SerializeToFrame(header), raw));

        var parsed = Assert.IsType<ProxyHeader>(await new ControlMessageReader(stream).ReadAsync(Ct));

        Assert.Equal(header, parsed);
        Assert.Equal(raw, stream.ToArray()[(int)stream.Position..]);
    }

    [Fact]
    public async Task Concurrent_reads_are_refused()
    {
        var pipe = new Pipe();
        var reader = new ControlMessageReader(pipe.Reader.AsStream());
        ValueTask<ControlMessage?> first = reader.ReadAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadAsync(Ct).AsTask());

        await pipe.Writer.WriteAsync(ControlMessageSerializer.SerializeToFrame(new UnbindMessage { TunnelId = "x" }), Ct);
        Assert.IsType<UnbindMessage>(await first);
    }

    [Fact]
    public async Task Cancelled_read_throws_and_leaves_the_reader_unusable()
    {
        var pipe = new Pipe();
        var reader = new ControlMessageReader(pipe.Reader.AsStream());
        using var cts = new CancellationTokenSource();
        ValueTask<ControlMessage?> read = reader.ReadAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadAsync(Ct).AsTask());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ControlCodecOptions.MaxMessageSizeLimit + 1)]
    public void Out_of_range_max_message_size_is_refused(int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new ControlMessageReader(new MemoryStream(), new ControlCodecOptions { MaxMessageSize = size }));
    }

    [Fact]
    public void Default_limit_is_64_KiB()
    {
        Assert.Equal(65536, ControlCodecOptions.Default.MaxMessageSize);
    }
}
