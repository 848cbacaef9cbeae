using System.Diagnostics;

namespace Burrow.Agent.Inspection;

/// <summary>
/// An exchange being captured (observed on a proxy stream, or replayed): what the <see cref="CaptureStore"/> encodes
/// when it ends. The parsed view, <see cref="CapturedExchange"/>, is made from the stored bytes only when asked for.
/// </summary>
internal sealed class PendingCapture
{
    public PendingCapture(long sequence, string method, string clientAddr, int bodyLimit)
    {
        Sequence = sequence;
        Method = method;
        ClientAddr = clientAddr;
        Request = new MessageCapture(bodyLimit);
        Response = new MessageCapture(bodyLimit);
    }

    /// <summary>The store's number for it, from <see cref="CaptureStore.NextSequence"/>; its id is made from it.</summary>
    public long Sequence { get; }

    /// <summary>The request's method (also in its head): the response parser asks for it.</summary>
    public string Method { get; }

    /// <summary>The client address the stream was opened for; an <c>X-Forwarded-For</c> in the head wins when read back.</summary>
    public string ClientAddr { get; }

    public DateTimeOffset Start { get; } = DateTimeOffset.UtcNow;

    /// <summary>When it began, for the timings.</summary>
    public long Started { get; } = Stopwatch.GetTimestamp();

    public MessageCapture Request { get; }

    /// <summary>The final response; its head is empty when none came (then <see cref="Error"/> says why).</summary>
    public MessageCapture Response { get; }

    public int StatusCode { get; set; }

    /// <summary>Why there was no response from the upstream, when there was none.</summary>
    public string? Error { get; set; }

    /// <summary>From arrival to the last response byte.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>From arrival to the response headers (time to first byte).</summary>
    public TimeSpan? HeadersAfter { get; set; }

    /// <summary>Whether it was a protocol upgrade (WebSocket): its frames are not captured.</summary>
    public bool Upgraded { get; set; }

    /// <summary>The sequence of the captured request this one replays, when it is a replay.</summary>
    public long? ReplayOf { get; init; }

    /// <summary>Gives back both sides' buffers, once the store has what it keeps.</summary>
    public void Release()
    {
        Request.Release();
        Response.Release();
    }
}
