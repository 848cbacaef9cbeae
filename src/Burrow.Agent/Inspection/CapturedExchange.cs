namespace Burrow.Agent.Inspection;

/// <summary>A request the agent forwarded (or replayed) and what came back, parsed from the store for a reader.</summary>
internal sealed class CapturedExchange
{
    public required string Id { get; init; }

    public required string TunnelName { get; init; }

    public required string RemoteAddr { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required string Method { get; init; }

    /// <summary>The request target as sent: path and query.</summary>
    public required string Uri { get; init; }

    public required CapturedMessage Request { get; init; }

    /// <summary>The response, or <see langword="null"/> when none came (then <see cref="Error"/> says why).</summary>
    public CapturedMessage? Response { get; init; }

    public int StatusCode { get; init; }

    public string ReasonPhrase { get; init; } = "";

    /// <summary>Why there was no response from the upstream, when there was none.</summary>
    public string? Error { get; init; }

    /// <summary>From arrival to the last response byte.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>From arrival to the response headers (time to first byte).</summary>
    public TimeSpan? HeadersAfter { get; init; }

    public bool Replay { get; init; }

    /// <summary>The id of the captured request this one replays.</summary>
    public string? ReplayOf { get; init; }

    /// <summary>Whether it was a protocol upgrade (WebSocket): its frames are not captured.</summary>
    public bool Upgraded { get; init; }
}
