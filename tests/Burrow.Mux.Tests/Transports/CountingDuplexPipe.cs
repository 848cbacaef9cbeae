using System.IO.Pipelines;

namespace Burrow.Mux.Tests.Transports;

/// <summary>Counts what a session writes, by copying its output through a pump.</summary>
internal sealed class CountingDuplexPipe : IDuplexPipe
{
    private readonly Pipe _outbound = new(new PipeOptions(useSynchronizationContext: false));
    private long _bytes;
    private long _frames;

    public CountingDuplexPipe(IDuplexPipe inner)
    {
        Input = inner.Input;
        _ = PumpAsync(inner.Output);
    }

    public PipeReader Input { get; }

    public PipeWriter Output => _outbound.Writer;

    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>Frames whose headers passed through, counted by parsing the stream of headers.</summary>
    public long FramesWritten => Interlocked.Read(ref _frames);

    private async Task PumpAsync(PipeWriter destination)
    {
        long remainingPayload = 0;
        var header = new byte[12];
        var headerFill = 0;
        while (true)
        {
            var result = await _outbound.Reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                var span = segment.Span;
                var i = 0;
                while (i < span.Length)
                {
                    if (remainingPayload > 0)
                    {
                        var take = (int)Math.Min(remainingPayload, span.Length - i);
                        remainingPayload -= take;
                        i += take;
                        continue;
                    }

                    header[headerFill++] = span[i++];
                    if (headerFill == 12)
                    {
                        headerFill = 0;
                        Interlocked.Increment(ref _frames);
                        if (header[1] == 0)
                        {
                            remainingPayload = (header[8] << 24) | (header[9] << 16) | (header[10] << 8) | header[11];
                        }
                    }
                }

                Interlocked.Add(ref _bytes, span.Length);
                await destination.WriteAsync(segment);
            }

            _outbound.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await destination.CompleteAsync();
                return;
            }
        }
    }
}
