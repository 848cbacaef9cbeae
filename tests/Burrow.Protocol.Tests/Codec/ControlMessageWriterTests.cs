using System.IO.Pipelines;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Protocol.Tests.Codec;

public sealed class ControlMessageWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Write_produces_the_serializer_frame()
    {
        var stream = new MemoryStream();
        using var writer = new ControlMessageWriter(stream);
        var message = new BindResultMessage { RequestId = "1", TunnelId = "tun_01", Urls = ["https://a.example.com"] };

        await writer.WriteAsync(message, Ct);
        await writer.WriteAsync(message, Ct);

        byte[] frame = ControlMessageSerializer.SerializeToFrame(message);
        Assert.Equal(Frames.Concat(frame, frame), stream.ToArray());
    }

    [Fact]
    public async Task Concurrent_writers_produce_intact_frames()
    {
        const int Writers = 8;
        const int PerWriter = 200;
        var pipe = new Pipe();
        using var writer = new ControlMessageWriter(new ChunkingStream(pipe.Writer.AsStream(), chunkSize: 7));
        var reader = new ControlMessageReader(pipe.Reader.AsStream());

        Task<List<NoticeMessage>> readAll = Task.Run(async () =>
        {
            var received = new List<NoticeMessage>();
            while (await reader.ReadAsync(Ct) is { } message)
            {
                received.Add(Assert.IsType<NoticeMessage>(message));
            }

            return received;
        }, Ct);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                // Varying lengths so that a torn frame would misalign everything after it.
                var notice = new NoticeMessage { Kind = "quota", TunnelId = $"{w}", Message = $"{i}:{new string('x', (w * 31 + i) % 97)}" };
                await writer.WriteAsync(notice, Ct);
            }
        }, Ct)));
        await pipe.Writer.CompleteAsync();
        List<NoticeMessage> received = await readAll;

        Assert.Equal(Writers * PerWriter, received.Count);
        foreach (var group in received.GroupBy(n => n.TunnelId))
        {
            // Each writer awaited its writes one by one, so its messages arrive in its order.
            Assert.Equal(Enumerable.Range(0, PerWriter), group.Select(n => int.Parse(n.Message.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(Writers, received.Select(n => n.TunnelId).Distinct().Count());
    }

    [Fact]
    public async Task Write_larger_than_limit_throws_4002_writes_nothing_and_stays_usable()
    {
        var stream = new MemoryStream();
        using var writer = new ControlMessageWriter(stream, new ControlCodecOptions { MaxMessageSize = 100 });

        var ex = await Assert.ThrowsAsync<ProtocolException>(
            () => writer.WriteAsync(new NoticeMessage { Kind = "quota", Message = new string('x', 200) }, Ct).AsTask());

        Assert.Same(ErrorCodes.MessageTooLarge, ex.ErrorCode);
        Assert.Equal(0, stream.Length);
        await writer.WriteAsync(new UnbindMessage { TunnelId = "t" }, Ct);
        Assert.True(stream.Length > 0);
    }

    [Fact]
    public async Task Write_that_failed_part_way_breaks_the_writer()
    {
        var stream = new FailingStream();
        using var writer = new ControlMessageWriter(stream);

        await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync(new UnbindMessage { TunnelId = "t" }, Ct).AsTask());

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new UnbindMessage { TunnelId = "t" }, Ct).AsTask());
    }

    [Fact]
    public async Task Write_after_dispose_throws()
    {
        var writer = new ControlMessageWriter(new MemoryStream());
        writer.Dispose();
        writer.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(new UnbindMessage { TunnelId = "t" }, Ct).AsTask());
    }

    [Fact]
    public async Task Writer_and_reader_round_trip_over_a_pipe()
    {
        var pipe = new Pipe();
        using var writer = new ControlMessageWriter(pipe.Writer.AsStream());
        var reader = new ControlMessageReader(pipe.Reader.AsStream());

        foreach (ControlMessage message in Messages.ExampleMessages.All)
        {
            await writer.WriteAsync(message, Ct);
            ControlMessage? read = await reader.ReadAsync(Ct);
            Assert.NotNull(read);
            Assert.Equal(ControlMessageSerializer.SerializeToJson(message), ControlMessageSerializer.SerializeToJson(read));
        }
    }
}
