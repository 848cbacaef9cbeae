namespace Burrow.Protocol.Pumping;

/// <summary>
/// One side of a <see cref="DuplexPump"/>: where its bytes are read and written, how to half-close
/// toward it (it reads end of stream and may still answer), how to abort it, and how to release it.
/// Built once per connection; nothing here runs per chunk except the two streams.
/// </summary>
public sealed class PumpEnd
{
    private readonly Func<ValueTask> _completeWrites;
    private readonly Action _abort;
    private readonly Func<ValueTask>? _dispose;

    /// <summary>An end over separate input and output streams (they may be the same stream).</summary>
    public PumpEnd(Stream input, Stream output, Func<ValueTask> completeWrites, Action abort, Func<ValueTask>? dispose = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(completeWrites);
        ArgumentNullException.ThrowIfNull(abort);
        Input = input;
        Output = output;
        _completeWrites = completeWrites;
        _abort = abort;
        _dispose = dispose;
    }

    /// <summary>Where the bytes this end sends are read.</summary>
    public Stream Input { get; }

    /// <summary>Where the bytes for this end are written.</summary>
    public Stream Output { get; }

    /// <summary>Whether the pump has half-closed toward this end.</summary>
    public bool WritesCompleted { get; private set; }

    /// <summary>Half-closes toward this end, once the other end has sent everything.</summary>
    public ValueTask CompleteWritesAsync()
    {
        WritesCompleted = true;
        return _completeWrites();
    }

    /// <summary>Drops this end at once (RST, or its transport's equivalent); must be safe to call more than once.</summary>
    public void Abort() => _abort();

    /// <summary>Releases this end after the pump is done with it.</summary>
    public ValueTask DisposeAsync() => _dispose?.Invoke() ?? ValueTask.CompletedTask;
}
