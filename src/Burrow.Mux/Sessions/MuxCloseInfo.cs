namespace Burrow.Mux.Sessions;

/// <summary>How and why a session ended, as reported by <see cref="MuxSession.Completion"/>.</summary>
/// <param name="Reason">The category of the end.</param>
/// <param name="Message">A sentence for logs and people.</param>
/// <param name="Exception">The failure behind it, when there was one.</param>
public sealed record MuxCloseInfo(MuxCloseReason Reason, string Message, Exception? Exception = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Reason}: {Message}";
}
