using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Burrow.Mux.Tests.Transports;

/// <summary>A link with one-way latency: what a session writes reaches the peer <c>delay</c> later.</summary>
internal sealed class DelayedDuplexPipe : IDuplexPipe
{
    private readonly Pipe _outbound = new(new PipeOptions(pauseWriterThreshold: 64 * 1024 * 1024, resumeWriterThreshold: 32 * 1024 * 1024, useSynchronizationContext: false));
    private readonly Channel<(long Due, byte[] Data)> _inFlight = Channel.CreateUnbounded<(long, byte[])>();
    private readonly TimeSpan _delay;

    public DelayedDuplexPipe(IDuplexPipe inner, TimeSpan delay)
    {
        _delay = delay;
        Input = inner.Input;
        _ = CaptureAsync();
        _ = DeliverAsync(inner.Output);
    }

    public PipeReader Input { get; }

    public PipeWriter Output => _outbound.Writer;

    private async Task CaptureAsync()
    {
        while (true)
        {
            var result = await _outbound.Reader.ReadAsync();
            if (!result.Buffer.IsEmpty)
            {
                _inFlight.Writer.TryWrite((Environment.TickCount64 + (long)_delay.TotalMilliseconds, result.Buffer.ToArray()));
            }

            _outbound.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                _inFlight.Writer.TryComplete();
                return;
            }
        }
    }

    private async Task DeliverAsync(PipeWriter destination)
    {
        await foreach (var (due, data) in _inFlight.Reader.ReadAllAsync())
        {
            var wait = due - Environment.TickCount64;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }

            await destination.WriteAsync(data);
        }

        await destination.CompleteAsync();
    }
}
