namespace Burrow.Mux.Errors;

/// <summary>A failure confined to one stream: the session and its other streams go on.</summary>
public sealed class MuxStreamException : MuxException
{
    /// <summary>Creates a failure of stream <paramref name="streamId"/>.</summary>
    public MuxStreamException(MuxError error, uint streamId, string message, Exception? innerException = null)
        : base(error, message, innerException)
    {
        StreamId = streamId;
    }

    /// <summary>The yamux id of the failed stream.</summary>
    public uint StreamId { get; }
}
