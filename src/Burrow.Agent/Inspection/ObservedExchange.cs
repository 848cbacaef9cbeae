namespace Burrow.Agent.Inspection;

/// <summary>
/// One exchange while an <see cref="HttpExchangeObserver"/> follows it: the capture being filled, and which of its two
/// halves (request, response) have ended, since each is read on its own direction's thread.
/// </summary>
internal sealed class ObservedExchange
{
    private int _halvesEnded;
    private int _recorded;

    public ObservedExchange(PendingCapture capture)
    {
        Capture = capture;
    }

    public PendingCapture Capture { get; }

    /// <summary>Whether the request asked to switch protocols (an Upgrade header, or CONNECT).</summary>
    public bool AsksUpgrade { get; init; }

    /// <summary>Whether the request said <c>Connection: close</c>.</summary>
    public bool AsksClose { get; init; }

    /// <summary>Whether the final response leaves the connection open for another request (set with its head).</summary>
    public bool Persists { get; set; }

    /// <summary>Marks one half ended; true when it was the second, so the exchange is complete.</summary>
    public bool EndHalf() => Interlocked.Increment(ref _halvesEnded) == 2;

    /// <summary>True the first time only: each exchange is recorded once.</summary>
    public bool TakeRecording() => Interlocked.Exchange(ref _recorded, 1) == 0;
}
