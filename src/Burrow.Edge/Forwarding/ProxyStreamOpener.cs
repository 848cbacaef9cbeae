using Burrow.Edge.Agents;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// How the edge opens a proxy stream to an agent, for HTTP, TCP and TLS passthrough alike: a new mux
/// stream with its <c>proxy</c> header written, then, as a second step, the agent's <c>proxy_result</c>.
/// </summary>
/// <remarks>
/// Two steps because no caller waits for the answer before it carries on: the client's first bytes
/// (TCP, TLS) or the request (HTTP) go out right behind the header, and the answer is awaited only
/// before the first byte goes back to the client, so a dial on the agent's side costs no extra round trip.
/// HTTP reads its answer inside the HTTP client's first read (<see cref="ProxyStream"/>), where the
/// forwarder's upstream timeout bounds it and each failure must be an exception the forwarder turns
/// into an error page; TCP and TLS read it with <see cref="ReadResultAsync"/>.
/// </remarks>
internal static class ProxyStreamOpener
{
    /// <summary>How long the agent may take to answer a TCP or TLS proxy stream (its dial included).</summary>
    public static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Opens a proxy stream on <paramref name="link"/> and writes <paramref name="header"/> on it. A failed
    /// write aborts the stream (a reset) before the exception goes on, so no half-opened stream lingers.
    /// </summary>
    /// <exception cref="IOException">The connection is closing or gone (a mux exception).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ValueTask<MultiplexedStream> OpenAsync(AgentLink link, ProxyHeader header, CancellationToken cancellationToken)
        => link.OpenProxyStreamAsync(header, cancellationToken);

    /// <summary>
    /// Reads the agent's answer on a stream <see cref="OpenAsync"/> opened: <see langword="null"/> when
    /// the agent reached the upstream, else the agent's error; an answer that is not a
    /// <c>proxy_result</c>, or none before the stream ended, is <see cref="ErrorCodes.AgentSessionGone"/>.
    /// </summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="ProtocolException">The answer was not a well-formed message.</exception>
    /// <exception cref="IOException">The stream failed (reset, session gone).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ProtocolError?> ReadResultAsync(Stream stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ControlMessage? answer = await new ControlMessageReader(stream).ReadAsync(cancellationToken).AsTask()
            .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            ProxyResultMessage result => result.Error,
            _ => ErrorCodes.AgentSessionGone.WithMessage($"The agent answered the proxy stream with {answer?.Type ?? "nothing"}."),
        };
    }
}
