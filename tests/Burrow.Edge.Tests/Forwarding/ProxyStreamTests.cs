using System.Threading.Tasks.Sources;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Edge.Tests.Forwarding;

public sealed class ProxyStreamTests
{
    [Fact]
    public async Task A_read_that_completed_at_once_is_consumed_once_and_counted()
    {
        // The inner stream answers every read with a ValueTask over a single-use source that is
        // already complete, like a pooled source whose read finished just before it was checked.
        // The proxy stream used to read its result and hand the same ValueTask on, so the caller
        // consumed it a second time: with a pooled source, one recycled for another read.
        var inner = new SingleUseReadStream(ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage()), [1, 2, 3, 4, 5]);
        var counters = new TrafficCounters();
        await using var proxy = new ProxyStream(inner, () => { }, counters);
        var buffer = new byte[16];

        var first = await proxy.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Equal(5, first);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, buffer[..5]);

        ValueTask<int> second = proxy.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(0, await second);
        Assert.Equal(0, inner.DoubleConsumptions);
        Assert.Equal(5, counters.BytesOut);
    }

    /// <summary>Each read returns the given chunks (then end of stream) through a source that counts a second consumption.</summary>
    private sealed class SingleUseReadStream(params byte[][] chunks) : Stream
    {
        private int _next;
        private int _offset;

        public int DoubleConsumptions { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = 0;
            if (_next < chunks.Length)
            {
                var chunk = chunks[_next];
                count = Math.Min(buffer.Length, chunk.Length - _offset);
                chunk.AsSpan(_offset, count).CopyTo(buffer.Span);
                _offset += count;
                if (_offset == chunk.Length)
                {
                    _next++;
                    _offset = 0;
                }
            }

            return new ValueTask<int>(new CompletedOnce(this, count), 0);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private sealed class CompletedOnce(SingleUseReadStream owner, int result) : IValueTaskSource<int>
        {
            private bool _consumed;

            public int GetResult(short token)
            {
                if (_consumed)
                {
                    owner.DoubleConsumptions++;
                    throw new InvalidOperationException("this ValueTask was already consumed");
                }

                _consumed = true;
                return result;
            }

            public ValueTaskSourceStatus GetStatus(short token) =>
                _consumed ? throw new InvalidOperationException("this ValueTask was already consumed") : ValueTaskSourceStatus.Succeeded;

            public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => continuation(state);
        }
    }
}
