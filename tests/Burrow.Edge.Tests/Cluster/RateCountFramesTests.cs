using System.Buffers;
using System.Buffers.Binary;
using Burrow.Edge.Cluster;
using Burrow.Edge.Limits;

namespace Burrow.Edge.Tests.Cluster;

/// <summary>The frames nodes tell each other their rate-limit counts in.</summary>
public sealed class RateCountFramesTests
{
    private static readonly WindowShape Minute = WindowShape.For(TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Counts_written_are_read_back_over_a_stream_frame_by_frame()
    {
        List<SharedCount> counts =
        [
            new("rate-limit\nagent a\nx.example\non_http_request[0].actions[0].config\n10/60000\n127.0.0.1", Minute, 296_000_000_000, 3),
            new("auth-failures\n::1", new WindowShape(TimeSpan.FromMinutes(1), 6), 1, int.MaxValue),
            new("ünïcode", WindowShape.For(TimeSpan.FromMilliseconds(100)), 42, 1),
        ];
        var written = new ArrayBufferWriter<byte>();
        RateCountFrames.Write(counts, written);
        using var stream = new MemoryStream(written.WrittenMemory.ToArray());

        byte[] buffer = new byte[RateCountFrames.MaxPayload];
        var read = new List<SharedCount>();
        Assert.True(await RateCountFrames.ReadAsync(stream, buffer, read, CancellationToken.None));
        Assert.Equal(counts, read);
        Assert.False(await RateCountFrames.ReadAsync(stream, buffer, read, CancellationToken.None));
    }

    [Fact]
    public void Many_counts_are_split_into_frames_below_the_largest()
    {
        string longKey = new('k', 4000);
        List<SharedCount> counts = [.. Enumerable.Range(0, 200).Select(i => new SharedCount(longKey + i, Minute, i, 1))];
        var written = new ArrayBufferWriter<byte>();
        RateCountFrames.Write(counts, written);

        var read = new List<SharedCount>();
        int frames = 0;
        ReadOnlySpan<byte> rest = written.WrittenSpan;
        while (!rest.IsEmpty)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(rest);
            Assert.InRange(length, 1, RateCountFrames.MaxPayload);
            Assert.True(RateCountFrames.Parse(rest.Slice(4, length), read));
            rest = rest[(4 + length)..];
            frames++;
        }

        Assert.True(frames >= 3, $"{frames} frames");
        Assert.Equal(counts, read);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("zero-window")]
    [InlineData("zero-count")]
    [InlineData("key-past-end")]
    public void A_malformed_frame_is_refused_whole(string fault)
    {
        var written = new ArrayBufferWriter<byte>();
        RateCountFrames.Write([new SharedCount("good", Minute, 7, 1), new SharedCount("bad", Minute, 8, 2)], written);
        byte[] payload = written.WrittenSpan[4..].ToArray();
        int second = 2 + 4 + 4 + 1 + 8 + 4;
        switch (fault)
        {
            case "truncated": payload = payload[..^3]; break;
            case "zero-window": BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(second + 2 + 3), 0); break;
            case "zero-count": BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(second + 2 + 3 + 13), 0); break;
            case "key-past-end": BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(second), 60000); break;
        }

        var read = new List<SharedCount>();
        Assert.False(RateCountFrames.Parse(payload, read));
        Assert.Empty(read);
    }
}
