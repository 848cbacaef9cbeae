namespace Burrow.Mux.Sessions;

/// <summary>
/// Settings of one session. Defaults follow HashiCorp's <c>DefaultConfig</c> where yamux has one,
/// and add the limits yamux leaves open. <see cref="Validate"/> runs before a session starts.
/// </summary>
public sealed class MuxOptions
{
    /// <summary>The window every yamux stream starts with in each direction; fixed by the spec.</summary>
    public const int InitialStreamWindow = 256 * 1024;

    /// <summary>Shared defaults.</summary>
    public static MuxOptions Default { get; } = new();

    /// <summary>Streams the peer may open that nobody has accepted yet; more are refused with RST. Default 256, as yamux.</summary>
    public int AcceptBacklog { get; init; } = 256;

    /// <summary>Live streams (both directions) at once; a further open fails and a further SYN gets RST. Default 4096.</summary>
    public int MaxConcurrentStreams { get; init; } = 4096;

    /// <summary>
    /// Upper bound of a stream's receive window. Windows start at 256 KiB and grow toward the
    /// bandwidth-delay product while a reader keeps up, up to this. Default 16 MiB.
    /// </summary>
    public int MaxStreamWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest Data payload this side accepts in one frame; larger is a protocol error. Default 16 MiB + 64 KiB.</summary>
    public int MaxFrameSizeRead { get; init; } = (16 * 1024 * 1024) + (64 * 1024);

    /// <summary>
    /// Largest Data payload this side writes in one frame. Smaller frames interleave streams more
    /// finely (fairness); larger ones cost fewer headers and writer turns. Default 64 KiB (32 KiB
    /// until 2026-11-30: 64 KiB took a tunnel download from ~375 to ~400 MB/s, bench/README.md); Go's
    /// yamux sends up to a whole window in one frame.
    /// </summary>
    public int MaxFrameSizeWrite { get; init; } = 64 * 1024;

    /// <summary>
    /// A write of at least this many bytes, made while the session's writer is idle, runs the
    /// writer on the caller's thread: framing, flush and send happen before the write returns, with
    /// no thread hand-off (a bulk transfer makes many such writes). Smaller writes, and any write
    /// while the writer is busy, are queued for the writer loop, which gathers the frames of many
    /// streams into one flush; under many small concurrent requests over a TLS socket that batching
    /// is worth more than the hand-off it costs. 0 runs every write inline, which suits a transport
    /// that batches sends itself (a Kestrel connection's pipe); <see cref="int.MaxValue"/> never does.
    /// Default 16 KiB. bench/README.md has the figures.
    /// </summary>
    public int InlineWriteThreshold { get; init; } = 16 * 1024;

    /// <summary>Whether to send keepalive pings. Default true.</summary>
    public bool EnableKeepAlive { get; init; } = true;

    /// <summary>Time between keepalive pings. Default 30 s, as yamux.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the session ends. Default 10 s, as yamux's ConnectionWriteTimeout.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stream this side opened may wait for the peer's ACK before it is reset. Default 75 s, as yamux.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>How long a closed stream waits for the peer's FIN before it is reset. Default 5 min, as yamux.</summary>
    public TimeSpan StreamCloseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Frames without payload (window updates, pings, acks, resets) that may wait for the writer.
    /// A peer that stops reading while provoking replies overflows it, and the session ends. Default 65536.
    /// </summary>
    public int MaxQueuedControlFrames { get; init; } = 65536;

    /// <summary>Totals for metrics, shared by the sessions given the same object; none kept when null (the default).</summary>
    public MuxCounters? Counters { get; init; }

    /// <summary>Clock for keepalive and timeouts; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(AcceptBacklog > 0, nameof(AcceptBacklog), "must be positive");
        Require(MaxConcurrentStreams > 0, nameof(MaxConcurrentStreams), "must be positive");
        Require(MaxStreamWindow >= InitialStreamWindow, nameof(MaxStreamWindow), "must be at least 256 KiB, the window every yamux stream starts with");
        Require(MaxFrameSizeRead >= InitialStreamWindow, nameof(MaxFrameSizeRead), "must be at least 256 KiB: yamux peers send a whole window in one frame");
        Require(MaxFrameSizeWrite is >= 1024 and <= InitialStreamWindow, nameof(MaxFrameSizeWrite), "must be between 1 KiB and 256 KiB");
        Require(KeepAliveInterval > TimeSpan.Zero, nameof(KeepAliveInterval), "must be positive");
        Require(KeepAliveTimeout > TimeSpan.Zero, nameof(KeepAliveTimeout), "must be positive");
        Require(StreamOpenTimeout > TimeSpan.Zero, nameof(StreamOpenTimeout), "must be positive");
        Require(StreamCloseTimeout > TimeSpan.Zero, nameof(StreamCloseTimeout), "must be positive");
        Require(InlineWriteThreshold >= 0, nameof(InlineWriteThreshold), "must be 0 (every write) or more");
        Require(MaxQueuedControlFrames >= 16, nameof(MaxQueuedControlFrames), "must be at least 16");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"MuxOptions.{name} {rule}.", name);
        }
    }
}
