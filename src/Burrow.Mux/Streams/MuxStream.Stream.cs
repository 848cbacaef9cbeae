namespace Burrow.Mux.Streams;

// Whether the Stream is still usable; the rest of the Stream surface is MultiplexedStream's.
public sealed partial class MuxStream
{
    /// <inheritdoc />
    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    /// <inheritdoc />
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;
}
