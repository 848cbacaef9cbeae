using System.Buffers.Binary;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using Burrow.Mux.Errors;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;

namespace Burrow.EndToEnd.Tests.Hostile;

/// <summary>
/// A hostile agent over a real TLS connection and a real mux session, sending what no Burrow agent
/// would on the control stream: bad JSON, huge or zero lengths, unknown types, messages out of
/// order, streams the edge never asked for. Each gets a refusal with its code and the session closed;
/// the edge goes on serving the normal tunnel.
/// </summary>
public sealed class ControlStreamTests(HostileEdgeFixture fixture) : IClassFixture<HostileEdgeFixture>
{
    public static TheoryData<string, string> BeforeAuth => new()
    {
        { "bad json", "ERR_BURROW_4001" },
        { "not an object", "ERR_BURROW_4001" },
        { "no type", "ERR_BURROW_4001" },
        { "zero length", "ERR_BURROW_4001" },
        { "huge length", "ERR_BURROW_4002" },
        { "unknown type", "ERR_BURROW_4003" },
        { "bind before auth", "ERR_BURROW_4003" },
        { "proxy_result before auth", "ERR_BURROW_4003" },
        { "invalid utf-8", "ERR_BURROW_4001" },
    };

    public static TheoryData<string, string> AfterAuth => new()
    {
        { "bad json", "ERR_BURROW_4001" },
        { "huge length", "ERR_BURROW_4002" },
        { "unknown type", "ERR_BURROW_4003" },
        { "auth again", "ERR_BURROW_4003" },
        { "auth_result from the agent", "ERR_BURROW_4003" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BeforeAuth))]
    public async Task Garbage_instead_of_auth_is_refused_with_its_code_and_the_session_closed(string what, string code)
    {
        await using var hostile = await HostileAgent.ConnectAsync(fixture.Edge);

        await SendAsync(hostile, what);

        var answer = await hostile.ReadUntilAsync<AuthResultMessage>();
        Assert.NotNull(answer);
        Assert.Equal(code, answer.Error?.Code);
        await hostile.WaitClosedAsync();
        await fixture.AssertStillServingAsync();
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(AfterAuth))]
    public async Task Garbage_after_auth_gets_a_protocol_error_notice_and_the_session_closed(string what, string code)
    {
        await using var hostile = await HostileAgent.ConnectAsync(fixture.Edge);
        await hostile.SendAsync(HostileAgent.Auth(fixture.Edge.Token));
        var auth = await hostile.ReadUntilAsync<AuthResultMessage>();
        Assert.Null(auth?.Error);

        await SendAsync(hostile, what);

        var notice = await hostile.ReadUntilAsync<NoticeMessage>();
        Assert.NotNull(notice);
        Assert.Equal(NoticeKinds.ProtocolError, notice.Kind);
        Assert.Equal(code, notice.Error?.Code);
        await hostile.WaitClosedAsync();
        await fixture.AssertStillServingAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Streams_the_edge_never_asked_for_are_reset_and_the_session_keeps_working()
    {
        await using var hostile = await HostileAgent.ConnectAsync(fixture.Edge);
        await hostile.SendAsync(HostileAgent.Auth(fixture.Edge.Token));
        Assert.Null((await hostile.ReadUntilAsync<AuthResultMessage>())?.Error);
        EdgeHealth before = await fixture.Edge.HealthAsync();

        var streams = new List<MuxStream>();
        for (int i = 0; i < 200; i++)
        {
            MuxStream stream = await hostile.Mux.OpenStreamAsync();
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: whatever\r\n\r\n"u8.ToArray());
            streams.Add(stream);
        }

        foreach (MuxStream stream in streams)
        {
            // Each is reset: reading ends with the reset, never with an answer.
            Exception? error = await Record.ExceptionAsync(async () => await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.IsType<MuxStreamException>(error, exactMatch: false);
            await stream.DisposeAsync();
        }

        // The session is still good: a bind is answered with a URL.
        await hostile.SendAsync(new BindMessage { RequestId = "r1", Proto = TunnelProtocols.Http, TunnelName = "after-streams" });
        var bound = await hostile.ReadUntilAsync<BindResultMessage>();
        Assert.NotNull(bound);
        Assert.Null(bound.Error);
        Assert.False(hostile.Mux.IsClosed);

        // And the edge holds none of the refused streams.
        EdgeHealth after = await ProcessStats.SettleAsync(fixture.Edge.HealthAsync, h => h.MuxStreams <= before.MuxStreams, TimeSpan.FromSeconds(15));
        Assert.True(after.MuxStreams <= before.MuxStreams, $"mux streams {before.MuxStreams} before, {after.MuxStreams} after");
        await fixture.AssertStillServingAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Random_bytes_instead_of_mux_frames_close_the_connection()
    {
        var random = new Random(7);
        for (int i = 0; i < 10; i++)
        {
            await using var tls = await HostileAgent.ConnectTlsAsync(fixture.Edge);
            byte[] garbage = new byte[1 + random.Next(32 * 1024)];
            random.NextBytes(garbage);
            // A mux header starts with version 0; make the garbage certain to be noticed as such.
            garbage[0] = (byte)(1 + random.Next(255));
            await tls.WriteAsync(garbage);
            await tls.FlushAsync();
            // The edge's last lines go with a failure: it happened once under a loaded CI run (30 s without a close) and
            // never alone, so the next one must say what the edge was doing.
            Assert.True(await ClosesAsync(tls), $"the edge kept a connection that sent {garbage.Length} bytes of garbage after TLS (round {i}); the edge's last lines:\n"
                + string.Join('\n', fixture.Edge.Process.Output.Split('\n').TakeLast(40)));
        }

        await fixture.AssertStillServingAsync();
    }

    internal static async Task<bool> ClosesAsync(Stream stream)
    {
        byte[] buffer = new byte[64 * 1024];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await stream.ReadAsync(buffer, bound.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task SendAsync(HostileAgent hostile, string what)
    {
        switch (what)
        {
            case "bad json":
                await hostile.SendRawAsync(Frame("{\"type\": \"auth\", \"protocol_version\": 1, oops"u8));
                break;
            case "not an object":
                await hostile.SendRawAsync(Frame("[1, 2, 3]"u8));
                break;
            case "no type":
                await hostile.SendRawAsync(Frame("{\"authtoken\": \"x\"}"u8));
                break;
            case "zero length":
                await hostile.SendRawAsync([0, 0, 0, 0]);
                break;
            case "huge length":
                await hostile.SendRawAsync([0xFF, 0xFF, 0xFF, 0xFF, (byte)'{']);
                break;
            case "unknown type":
                await hostile.SendRawAsync(Frame("{\"type\": \"format_c\", \"really\": true}"u8));
                break;
            case "invalid utf-8":
                await hostile.SendRawAsync(Frame([(byte)'{', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}']));
                break;
            case "bind before auth":
                await hostile.SendAsync(new BindMessage { RequestId = "r", Proto = TunnelProtocols.Http });
                break;
            case "proxy_result before auth":
                await hostile.SendAsync(new ProxyResultMessage());
                break;
            case "auth again":
                await hostile.SendAsync(HostileAgent.Auth("whatever"));
                break;
            case "auth_result from the agent":
                await hostile.SendAsync(new AuthResultMessage { SessionId = "mine" });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(what), what, null);
        }
    }

    private static byte[] Frame(ReadOnlySpan<byte> body)
    {
        byte[] frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame.AsSpan(4));
        return frame;
    }
}
