namespace Burrow.Mux.Muxado;

/// <summary>
/// Settings of one muxado session. Muxado negotiates nothing on the wire, so only limits this
/// side enforces are settable; the window is fixed by what ngrok's clients assume.
/// <see cref="Validate"/> runs before a session starts.
/// </summary>
public sealed class MuxadoOptions
{
    /// <summary>
    /// The window of every stream in each direction: 256 KiB, the default of both muxado
    /// implementations. It is never negotiated, so a peer assumes exactly this much.
    /// </summary>
    public const int Window = 256 * 1024;

    /// <summary>Shared defaults.</summary>
    public static MuxadoOptions Default { get; } = new();

    /// <summary>
    /// Live streams (both directions) at once. A further open fails with
    /// <see cref="MuxadoErrorCode.StreamsExhausted"/>, a further SYN from the peer gets RST
    /// <see cref="MuxadoErrorCode.StreamRefused"/>. Default 1024.
    /// </summary>
    public int MaxStreams { get; init; } = 1024;

    /// <summary>
    /// Streams the peer opened that nobody has accepted yet; a further SYN gets RST
    /// <see cref="MuxadoErrorCode.AcceptQueueFull"/>. Default 128, as Go's muxado.
    /// </summary>
    public int AcceptBacklog { get; init; } = 128;

    /// <summary>
    /// Largest payload accepted in one incoming frame; a larger length ends the session with GOAWAY
    /// <see cref="MuxadoErrorCode.FrameSizeError"/>. The wire allows 16 MiB - 1, but muxado peers
    /// never send more than a window in one DATA frame, and the reader holds a whole frame in
    /// memory. Default 1 MiB; at least <see cref="Window"/>.
    /// </summary>
    public int MaxFramePayload { get; init; } = 1024 * 1024;

    /// <summary>
    /// After a graceful close sent its GOAWAY, how long the session keeps reading (and discarding)
    /// while it waits for the peer to close its end, before closing the transport itself. Closing
    /// with unread bytes makes TCP send a reset, which can destroy the GOAWAY before the peer reads
    /// it. ngrok's v2 agent never closes first (it waits for our end of stream), so it waits out
    /// the whole linger. Capped by <see cref="MuxadoSession.CloseAsync"/>'s timeout. Default 250 ms; zero closes at once.
    /// </summary>
    public TimeSpan CloseLinger { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Clock for the close deadlines; tests may pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(MaxStreams > 0, nameof(MaxStreams), "must be positive");
        Require(AcceptBacklog > 0, nameof(AcceptBacklog), "must be positive");
        Require(
            MaxFramePayload is >= Window and <= MuxadoFrameHeader.MaxLength,
            nameof(MaxFramePayload),
            "must be between 256 KiB (muxado peers send up to a whole window in one frame) and 16 MiB - 1 (the wire's limit)");
        Require(CloseLinger >= TimeSpan.Zero, nameof(CloseLinger), "must not be negative");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"MuxadoOptions.{name} {rule}.", name);
        }
    }
}
