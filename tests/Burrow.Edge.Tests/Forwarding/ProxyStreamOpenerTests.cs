using System.Net;
using System.Net.Sockets;
using Burrow.Edge.Agents;
using Burrow.Edge.Forwarding;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Edge.Tests.Forwarding;

/// <summary>The opener over a real mux session pair on loopback TCP: the edge opens, the "agent" accepts.</summary>
public sealed class ProxyStreamOpenerTests : IAsyncLifetime
{
    private static readonly ProxyHeader Header = new() { TunnelId = "t-1", ClientAddr = "192.0.2.7:5000", Proto = TunnelProtocols.Tcp };

    private MuxSession _edge = null!;
    private MuxSession _agent = null!;

    public async ValueTask InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        ValueTask<Socket> accepted = listener.AcceptAsync(TestContext.Current.CancellationToken);
        await client.ConnectAsync(listener.LocalEndPoint!, TestContext.Current.CancellationToken);
        Socket server = await accepted;
        _edge = MuxSession.Server(new NetworkStream(server, ownsSocket: true));
        _agent = MuxSession.Client(new NetworkStream(client, ownsSocket: true));
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _agent.DisposeAsync();
    }

    // The link's control stream and writer are not used to open proxy streams.
    private async Task<MuxStream> OpenAsync(CancellationToken ct) =>
        (MuxStream)await ProxyStreamOpener.OpenAsync(new BurrowAgentLink(_edge, control: null!, writer: null!, "127.0.0.1:1"), Header, ct);

    [Fact]
    public async Task OpenAsync_header_then_the_clients_bytes_reach_the_agent_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await stream.WriteAsync(new byte[] { 1, 2, 3 }, ct);

        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);
        ControlMessage? first = await new ControlMessageReader(accepted).ReadAsync(ct);
        Assert.Equal(Header, first);
        var rest = new byte[3];
        await accepted.ReadExactlyAsync(rest, ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, rest);
    }

    [Fact]
    public async Task ReadResultAsync_success_is_null_and_the_upstreams_bytes_follow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);
        await accepted.WriteAsync(ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage()), ct);
        await accepted.WriteAsync(new byte[] { 9, 8 }, ct);

        Assert.Null(await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, ct));
        var upstream = new byte[2];
        await stream.ReadExactlyAsync(upstream, ct);
        Assert.Equal(new byte[] { 9, 8 }, upstream);
    }

    [Fact]
    public async Task ReadResultAsync_agent_error_is_returned_with_its_code()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);
        ProtocolError refused = ErrorCodes.UpstreamUnreachable.WithMessage("connection refused");
        await accepted.WriteAsync(ControlMessageSerializer.SerializeToFrame(new ProxyResultMessage { Error = refused }), ct);

        ProtocolError? error = await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, ct);
        Assert.Equal(refused, error);
    }

    [Fact]
    public async Task ReadResultAsync_stream_ended_without_an_answer_is_agent_session_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);
        accepted.CompleteWrites();

        ProtocolError? error = await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, ct);
        Assert.Equal(ErrorCodes.AgentSessionGone.Code, error?.Code);
        Assert.Contains("nothing", error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadResultAsync_another_message_is_agent_session_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);
        await accepted.WriteAsync(ControlMessageSerializer.SerializeToFrame(Header), ct);

        ProtocolError? error = await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, ct);
        Assert.Equal(ErrorCodes.AgentSessionGone.Code, error?.Code);
        Assert.Contains(Header.Type, error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadResultAsync_silent_agent_times_out()
    {
        var ct = TestContext.Current.CancellationToken;
        await using MuxStream stream = await OpenAsync(ct);
        await using MuxStream accepted = await _agent.AcceptStreamAsync(ct);

        await Assert.ThrowsAsync<TimeoutException>(() => ProxyStreamOpener.ReadResultAsync(stream, TimeSpan.FromMilliseconds(200), ct));
    }

    [Fact]
    public async Task OpenAsync_on_a_closed_session_throws_a_mux_exception()
    {
        var ct = TestContext.Current.CancellationToken;
        await _edge.DisposeAsync();

        await Assert.ThrowsAnyAsync<MuxException>(() => OpenAsync(ct));
    }
}
