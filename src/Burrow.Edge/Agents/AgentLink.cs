using Burrow.Mux;
using Burrow.Protocol;

namespace Burrow.Edge.Agents;

/// <summary>One live connection of an agent: its mux session and the writer of its control stream.</summary>
internal sealed class AgentLink
{
    public AgentLink(MuxSession mux, ControlMessageWriter writer, string remoteAddress)
    {
        Mux = mux;
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
}
