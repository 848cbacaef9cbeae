using System.IO.Pipelines;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Sessions;

public sealed class SessionLifecycleTests
{
    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Ping_returns_rtt_and_exposes_it(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);
        var rtt = await pair.Client.PingAsync(TestData.Timeout());
        Assert.True(rtt > TimeSpan.Zero);
        Assert.NotNull(pair.Client.Rtt);
    }

    [Fact]
    public async Task Silent_peer_ends_the_session_with_KeepAliveTimeout()
    {
        // The "peer" reads everything and answers nothing, like a link that dropped off the network.
        var (a, b) = DuplexPipe.CreatePair();
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var r = await b.Input.ReadAsync();
                b.Input.AdvanceTo(r.Buffer.End);
                if (r.IsCompleted || r.IsCanceled)
                {
                    return;
                }
            }
        });
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(200), KeepAliveTimeout = TimeSpan.FromSeconds(1) };
        var session = MuxSession.Client(a, options);
        var info = await session.Completion.WaitAsync(TestData.Timeout(15));
        Assert.Equal(MuxCloseReason.KeepAliveTimeout, info.Reason);
        Assert.Contains("did not answer a ping", info.Message, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<MuxException>(async () => await session.OpenStreamAsync());
        Assert.Equal(MuxError.SessionClosed, error.Error);
        b.Input.CancelPendingRead();
        await drain;
    }

    [Fact]
    public async Task Healthy_session_survives_many_keepalive_rounds()
    {
        var options = new MuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(900) };
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp, options, options);
        await Task.Delay(2500, TestData.Timeout());
        Assert.False(pair.Client.IsClosed);
        Assert.False(pair.Server.IsClosed);
    }

    [Fact]
    public async Task GoAway_from_peer_stops_new_opens_but_existing_streams_go_on()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTcp);
        var ct = TestData.Timeout();
        var stream = await pair.Client.OpenStreamAsync(ct);
        var accepted = await pair.Server.AcceptStreamAsync(ct);

        pair.Server.GoAway();
        for (var i = 0; i < 100 && !pair.Client.IsRemoteGoingAway; i++)
        {
            await Task.Delay(10, ct);
        }

        var error = await Assert.ThrowsAsync<MuxException>(async () => await pair.Client.OpenStreamAsync(ct));
        Assert.Equal(MuxError.RemoteGoingAway, error.Error);
        var local = await Assert.ThrowsAsync<MuxException>(async () => await pair.Server.OpenStreamAsync(ct));
        Assert.Equal(MuxError.LocalGoingAway, local.Error);

        await stream.WriteAsync("still here"u8.ToArray(), ct);
        stream.CompleteWrites();
        Assert.Equal("still here"u8.ToArray(), await TestData.ReadToEndAsync(accepted, ct));
        Assert.False(pair.Client.IsClosed);
    }

    [Fact]
    public async Task Peer_closing_the_transport_ends_session_and_fails_streams()
    {
        var (clientStream, serverStream) = await Loopback.ConnectTcpAsync();
        await using var client = MuxSession.Client(clientStream);
        var server = MuxSession.Server(serverStream);
        var ct = TestData.Timeout();
        var stream = await client.OpenStreamAsync(ct);
        await server.AcceptStreamAsync(ct);
        var read = stream.ReadAsync(new byte[10], ct).AsTask();

        serverStream.Dispose();

        var info = await client.Completion.WaitAsync(ct);
        Assert.True(info.Reason is MuxCloseReason.TransportClosed or MuxCloseReason.TransportError or MuxCloseReason.LocalClose or MuxCloseReason.RemoteGoAway, info.ToString());
        var error = await Assert.ThrowsAsync<MuxStreamException>(() => read);
        Assert.Equal(MuxError.SessionClosed, error.Error);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_ends_both_sides_and_completes()
    {
        var pair = await SessionPair.CreateAsync(TransportKind.LoopbackTls);
        var ct = TestData.Timeout();
        var accept = pair.Server.AcceptStreamAsync(ct).AsTask();
        await pair.Client.DisposeAsync();
        var clientInfo = await pair.Client.Completion.WaitAsync(ct);
        Assert.Equal(MuxCloseReason.LocalClose, clientInfo.Reason);
        await pair.Server.Completion.WaitAsync(ct);
        var error = await Assert.ThrowsAsync<MuxException>(() => accept);
        Assert.Equal(MuxError.SessionClosed, error.Error);
        await pair.Server.DisposeAsync();
    }

    [Fact]
    public async Task Accept_after_the_session_ended_throws_even_with_streams_still_queued()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe);
        var ct = TestData.Timeout();
        await pair.Client.OpenStreamAsync(ct);
        for (var i = 0; i < 200 && pair.Server.StreamCount == 0; i++)
        {
            await Task.Delay(10, ct);
        }

        Assert.Equal(1, pair.Server.StreamCount);
        await pair.Client.DisposeAsync();
        await pair.Server.Completion.WaitAsync(ct);

        var error = await Assert.ThrowsAsync<MuxException>(async () => await pair.Server.AcceptStreamAsync(ct));
        Assert.Equal(MuxError.SessionClosed, error.Error);
    }

    [Fact]
    public async Task Accept_backlog_refuses_extra_streams_with_reset()
    {
        var serverOptions = new MuxOptions { AcceptBacklog = 4 };
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe, null, serverOptions);
        var ct = TestData.Timeout();
        var streams = new List<MuxStream>();
        for (var i = 0; i < 6; i++)
        {
            var s = await pair.Client.OpenStreamAsync(ct);
            await s.WriteAsync(new byte[] { (byte)i }, ct);
            streams.Add(s);
        }

        // Streams 5 and 6 were beyond the backlog: their reads fail with reset.
        foreach (var refused in streams.Skip(4))
        {
            var error = await Assert.ThrowsAsync<MuxStreamException>(async () => await refused.ReadAsync(new byte[1], ct));
            Assert.Equal(MuxError.StreamResetByPeer, error.Error);
        }

        for (var i = 0; i < 4; i++)
        {
            var accepted = await pair.Server.AcceptStreamAsync(ct);
            var one = new byte[1];
            await accepted.ReadExactlyAsync(one, ct);
            Assert.Equal(i, one[0]);
        }
    }

    [Fact]
    public async Task MaxConcurrentStreams_refuses_local_opens_with_TooManyStreams()
    {
        var options = new MuxOptions { MaxConcurrentStreams = 3 };
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe, options);
        for (var i = 0; i < 3; i++)
        {
            await pair.Client.OpenStreamAsync();
        }

        var error = await Assert.ThrowsAsync<MuxException>(async () => await pair.Client.OpenStreamAsync());
        Assert.Equal(MuxError.TooManyStreams, error.Error);
    }

    [Fact]
    public async Task Unacknowledged_open_is_reset_after_StreamOpenTimeout()
    {
        // The server side never accepts, so the SYN is never acknowledged.
        var options = new MuxOptions { StreamOpenTimeout = TimeSpan.FromMilliseconds(500) };
        await using var pair = await SessionPair.CreateAsync(TransportKind.InMemoryPipe, options);
        var stream = await pair.Client.OpenStreamAsync();
        var error = await Assert.ThrowsAsync<MuxStreamException>(async () => await stream.ReadAsync(new byte[1], TestData.Timeout(10)));
        Assert.Equal(MuxError.OpenTimeout, error.Error);
        Assert.False(pair.Client.IsClosed);
    }

    [Fact]
    public async Task Options_are_validated_before_the_session_starts()
    {
        var (a, _) = DuplexPipe.CreatePair();
        var ex = Assert.Throws<ArgumentException>(() => MuxSession.Client(a, new MuxOptions { MaxStreamWindow = 1024 }));
        Assert.Contains("MaxStreamWindow", ex.Message, StringComparison.Ordinal);
        await a.Output.CompleteAsync();
    }

    [Fact]
    public async Task Session_works_over_a_duplex_pipe_given_directly()
    {
        var (a, b) = DuplexPipe.CreatePair();
        await using var client = MuxSession.Client(a);
        await using var server = MuxSession.Server(b);
        Assert.True(client.IsClient);
        Assert.False(server.IsClient);
        var s = await client.OpenStreamAsync();
        s.CompleteWrites();
        var accepted = await server.AcceptStreamAsync();
        Assert.Empty(await TestData.ReadToEndAsync(accepted));
        Assert.IsType<PipeReader>(a.Input, exactMatch: false);
    }
}
