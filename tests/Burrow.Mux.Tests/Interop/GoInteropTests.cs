using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Tests.Interop;

/// <summary>
/// Burrow.Mux against the reference Go yamux (hashicorp/yamux df201c7, via tests/interop/go/yamuxpeer)
/// on loopback TCP, in both roles. Any disagreement on the wire shows up as a failed phase, a
/// Go "[ERR]" log line, or a session that ends. Serial: the 100 x 3 MiB transfers would starve
/// timing-sensitive tests on a 2-core machine.
/// </summary>
[Collection(Serial.Name)]
public sealed class GoInteropTests
{
    private const int BulkStreams = 100;
    private const int BulkBytesPerStream = 3 * 1024 * 1024;

    [Fact]
    public async Task Go_client_passes_every_phase_against_our_server()
    {
        var ct = TestData.Timeout(90);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = await GoPeerProcess.StartAsync(
            ["client", $"127.0.0.1:{port}", $"{BulkStreams}", $"{BulkBytesPerStream}"],
            new Dictionary<string, string> { ["YAMUXPEER_WATCHDOG_SECONDS"] = "60" });
        var socket = await listener.AcceptSocketAsync(ct);
        socket.NoDelay = true;
        await using var session = MuxSession.Server(new NetworkStream(socket, ownsSocket: true));
        var server = CommandServer.Start(session, ct);

        var (exitCode, stdout, stderr) = await client.WaitForExitAsync(TimeSpan.FromSeconds(75));

        var report = $"yamuxpeer client exited with {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}\nour failures:\n{string.Join('\n', server.Failures)}";
        Assert.True(exitCode == 0, report);
        var lines = stdout.Split('\n');
        foreach (var phase in new[] { "ping", "echo", "sink", "generate", "reset", "goaway", "close" })
        {
            Assert.True(lines.Any(l => l.StartsWith($"OK {phase} ", StringComparison.Ordinal)), $"phase {phase} did not pass. {report}");
        }

        Assert.DoesNotContain("[ERR]", stderr, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage(stdout);

        // The Go client closes the connection at the end: our session ends and every handler finishes.
        var info = await session.Completion.WaitAsync(ct);
        Assert.True(info.Reason is MuxCloseReason.TransportClosed or MuxCloseReason.TransportError, info.ToString());
        await server.Completion.WaitAsync(ct);
        Assert.True(server.Failures.Count == 0, report);
        Assert.Equal(BulkStreams, server.Served('E'));
        Assert.Equal(10, server.Served('S'));
        Assert.Equal(10, server.Served('G'));
        Assert.Equal(5, server.Served('R'));
        // The 'O' probe came after the Go client's Go Away, so our server could not open back.
        var probe = Assert.Single(server.ProbeReplies);
        Assert.StartsWith($"REFUSED {MuxError.RemoteGoingAway}", probe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Our_client_echoes_100_streams_of_3MiB_through_the_Go_server()
    {
        var ct = TestData.Timeout(60);
        await using var link = await GoServerLink.StartAsync(ct);

        var echoes = Enumerable.Range(0, BulkStreams).Select(i => EchoRandomAsync(link.Session, seed: i, BulkBytesPerStream, ct)).ToArray();
        await Task.WhenAll(echoes);

        Assert.False(link.Session.IsClosed);
        await WaitForNoStreamsAsync(link.Session, ct);
        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task Sink_reply_counts_and_hashes_what_we_sent()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            var data = TestData.Random((1024 * 1024) + (i * 4099), seed: 1000 + i);
            var stream = await link.Session.OpenStreamAsync(ct);
            await stream.WriteAsync("S"u8.ToArray(), ct);
            await stream.WriteAsync(data, ct);
            stream.CompleteWrites();

            var reply = await TestData.ReadToEndAsync(stream, ct);
            Assert.Equal(40, reply.Length);
            Assert.Equal(data.Length, BinaryPrimitives.ReadInt64BigEndian(reply));
            Assert.Equal(SHA256.HashData(data), reply[8..]);
        }));

        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task Generate_delivers_the_Go_pattern()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);
        const long Total = 3 * 1024 * 1024;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            var stream = await link.Session.OpenStreamAsync(ct);
            var request = new byte[9];
            request[0] = (byte)'G';
            BinaryPrimitives.WriteInt64BigEndian(request.AsSpan(1), Total);
            await stream.WriteAsync(request, ct);
            if (i % 2 == 0)
            {
                stream.CompleteWrites(); // half of them half-close before reading, as the Go client does
            }

            var received = await TestData.ReadToEndAsync(stream, ct);
            stream.CompleteWrites();
            Assert.Equal(Total, received.Length);
            Assert.Equal(-1, GoPattern.Mismatch(0, received));
        }));

        await WaitForNoStreamsAsync(link.Session, ct);
        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task Reset_command_fails_our_read_with_StreamResetByPeer()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);

        var stream = await link.Session.OpenStreamAsync(ct);
        var request = new byte[1 + 4 + 1024];
        request[0] = (byte)'R';
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(1), 1024);
        await stream.WriteAsync(request, ct);

        var error = await Assert.ThrowsAsync<MuxStreamException>(async () => await stream.ReadAsync(new byte[1], ct));
        Assert.Equal(MuxError.StreamResetByPeer, error.Error);
        Assert.Equal(stream.Id, error.StreamId);

        // Only the stream is gone: the session still answers.
        await link.Session.PingAsync(ct);
        await WaitForNoStreamsAsync(link.Session, ct);
        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task Ping_returns_an_rtt()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);

        var rtt = await link.Session.PingAsync(ct);

        Assert.InRange(rtt, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.NotNull(link.Session.Rtt);
    }

    [Fact]
    public async Task Go_server_can_open_a_stream_back_to_our_client()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);

        var stream = await link.Session.OpenStreamAsync(ct);
        await stream.WriteAsync("O"u8.ToArray(), ct);
        var reply = Encoding.ASCII.GetString(await TestData.ReadToEndAsync(stream, ct)).TrimEnd();
        stream.CompleteWrites();

        Assert.Equal("OPENED", reply);
        Assert.Empty(link.Commands.Failures);
        await WaitForAsync(() => link.Commands.Served('E') == 1, ct);
        await WaitForNoStreamsAsync(link.Session, ct);
        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task GoAway_from_the_Go_server_stops_new_opens_while_the_open_stream_completes()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct, new Dictionary<string, string> { ["YAMUXPEER_GOAWAY_AFTER"] = "1" });

        var open = await link.Session.OpenStreamAsync(ct);
        await open.WriteAsync("Ebefore "u8.ToArray(), ct);
        await link.WaitForLineAsync("GOAWAY-SENT", ct);
        await WaitForAsync(() => link.Session.IsRemoteGoingAway, ct);

        var refused = await Assert.ThrowsAsync<MuxException>(async () => await link.Session.OpenStreamAsync(ct));
        Assert.Equal(MuxError.RemoteGoingAway, refused.Error);

        await open.WriteAsync("after"u8.ToArray(), ct);
        open.CompleteWrites();
        Assert.Equal("before after", Encoding.ASCII.GetString(await TestData.ReadToEndAsync(open, ct)));
        Assert.False(link.Session.IsClosed);
        link.AssertGoLoggedNoErrors();
    }

    [Fact]
    public async Task Closing_our_session_ends_the_Go_session()
    {
        var ct = TestData.Timeout(30);
        await using var link = await GoServerLink.StartAsync(ct);
        await link.Session.PingAsync(ct);

        await link.Session.DisposeAsync();

        Assert.Equal(MuxCloseReason.LocalClose, (await link.Session.Completion).Reason);
        var line = await link.WaitForLineAsync("SESSION-END", ct);
        Assert.StartsWith("SESSION-END", line, StringComparison.Ordinal);
        link.AssertGoLoggedNoErrors();
    }

    /// <summary>
    /// One 'E' stream: writes <paramref name="length"/> seeded random bytes while reading the echo
    /// back, half-closes after the last write, and compares SHA-256 of both directions.
    /// </summary>
    private static async Task EchoRandomAsync(MuxSession session, int seed, int length, CancellationToken ct)
    {
        var stream = await session.OpenStreamAsync(ct);
        await stream.WriteAsync("E"u8.ToArray(), ct);

        var write = Task.Run(async () =>
        {
            using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var random = new Random(seed);
            var chunk = new byte[GoPattern.ChunkSize];
            for (var offset = 0; offset < length; offset += chunk.Length)
            {
                var part = chunk.AsMemory(0, Math.Min(chunk.Length, length - offset));
                random.NextBytes(part.Span);
                sent.AppendData(part.Span);
                await stream.WriteAsync(part, ct);
            }

            stream.CompleteWrites();
            return sent.GetHashAndReset();
        }, ct);

        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[GoPattern.ChunkSize];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            received.AppendData(buffer, 0, read);
            total += read;
        }

        var sentHash = await write;
        Assert.True(total == length, $"stream {stream.Id} (seed {seed}): echoed {total} of {length} bytes");
        Assert.True(received.GetHashAndReset().SequenceEqual(sentHash), $"stream {stream.Id} (seed {seed}): echo hash mismatch");
        await stream.DisposeAsync();
    }

    private static Task WaitForNoStreamsAsync(MuxSession session, CancellationToken ct) => WaitForAsync(() => session.StreamCount == 0, ct);

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(10, ct);
        }
    }
}
