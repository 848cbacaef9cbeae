using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Agents;

/// <summary>One live connection of an agent: its mux session and the writer of its control stream.</summary>
internal sealed class AgentLink
{
    /// <summary>
    /// How long an ending connection gives its last control message to reach the agent and the
    /// agent to hang up. A Burrow agent hangs up as soon as it has read it (milliseconds); this
    /// bounds one that does not, or a link that stopped reading.
    /// </summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly MuxStream _control;

    public AgentLink(MuxSession mux, MuxStream control, ControlMessageWriter writer, string remoteAddress)
    {
        Mux = mux;
        _control = control;
        Writer = writer;
        RemoteAddress = remoteAddress;
    }

    public MuxSession Mux { get; }

    public ControlMessageWriter Writer { get; }

    public string RemoteAddress { get; }

    /// <summary>Sends a control message, ignoring a link that has just died (the agent reconnects and learns the state then).</summary>
    public async ValueTask TrySendAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // The link is gone or going; its handler notices and detaches it.
        }
    }

    /// <summary>
    /// Ends the connection after what was written: the control stream's FIN follows the last
    /// message (bytes before a FIN stay readable after the session ends, so the agent reads it
    /// whole), Go Away with <paramref name="code"/> comes last, and the transport closes once
    /// the agent hung up or <see cref="CloseTimeout"/> passed.
    /// </summary>
    public async Task CloseAsync(GoAwayCode code, CancellationToken cancellationToken)
    {
        _control.CompleteWrites();
        await Mux.CloseAsync(code, CloseTimeout, cancellationToken).ConfigureAwait(false);
    }
}
