namespace Burrow.Mux.Streams;

/// <summary>
/// A stream of a multiplexed session (yamux's <see cref="MuxStream"/>, muxado's stream for ngrok
/// clients): besides reading and writing it can half-close and reset, which is what a tunnel's
/// pump needs to carry TCP's half-close and abort across the session.
/// </summary>
public abstract class MultiplexedStream : Stream
{
    /// <summary>Half-closes: the peer reads end of stream after what was written; reading goes on. Calling it again does nothing.</summary>
    public abstract void CompleteWrites();

    /// <summary>Resets the stream at once (the peer sees a reset, pending data is dropped); safe to call more than once.</summary>
    public abstract void Abort();
}
