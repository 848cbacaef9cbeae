using Burrow.Edge.Forwarding;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Edge.Agents;

/// <summary>A Burrow agent's connection: its yamux session and the writer of its control stream.</summary>
internal sealed class BurrowAgentLink : AgentLink
{
    private readonly MuxStream _control;

    public BurrowAgentLink(MuxSession mux, MuxStream control, ControlMessageWriter writer, string remoteAddress)
        : base(remoteAddress)
    {
        Mux = mux;
        _control = control;
        Writer = writer;
    }

    public MuxSession Mux { get; }

    public ControlMessageWriter Writer { get; }

    public override bool IsClosed => Mux.IsClosed;

    public override int StreamCount => Mux.StreamCount;

    public override Task Completion => Mux.Completion;

    public override bool AnswersProxyStreams => true;

    public override async ValueTask<MultiplexedStream> OpenProxyStreamAsync(ProxyHeader header, CancellationToken cancellationToken)
    {
        MuxStream stream = await Mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(ControlMessageSerializer.SerializeToFrame(header), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Abort();
            throw;
        }

        return stream;
    }

    public override async Task<bool> IsAliveAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        if (Mux.IsClosed)
        {
            return false;
        }

        try
        {
            await Mux.PingAsync(cancellationToken).WaitAsync(within, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            return false;
        }
    }

    public override async ValueTask TrySendAsync(ControlMessage message, CancellationToken cancellationToken)
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
    /// The control stream's FIN follows the last message (bytes before a FIN stay readable after the
    /// session ends, so the agent reads it whole), then Go Away, then the transport closes.
    /// </summary>
    public override async Task CloseAsync(GoAwayCode code, CancellationToken cancellationToken)
    {
        _control.CompleteWrites();
        await Mux.CloseAsync(code, CloseTimeout, cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask AbortAsync() => Mux.DisposeAsync();
}
