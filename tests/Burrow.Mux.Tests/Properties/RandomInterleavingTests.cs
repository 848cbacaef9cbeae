using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Tests.Transports;
using CsCheck;

namespace Burrow.Mux.Tests.Properties;

/// <summary>
/// Random scripts of opens (by either role), writes of random sizes (some larger than a window),
/// half-closes, resets and reads, run over each transport. Whatever the interleaving: every byte
/// written on a stream nobody reset arrives once and in order; the peer of a reset sees
/// StreamResetByPeer (or end of stream when the FIN was already in); the session stays up; and
/// both stream tables empty once every stream has finished. CsCheck prints the seed of a failure;
/// set CsCheck_Seed to replay it, or CsCheck_Iter to run more than 30 scripts per transport.
/// </summary>
public sealed class RandomInterleavingTests
{
    private const int MaxStreams = 8;
    private const int Iterations = 30;

    private static readonly Gen<int> WriteLength = Gen.Frequency(
        (6, Gen.Int[1, 1024]),
        (3, Gen.Int[1025, 64 * 1024]),
        (1, Gen.Int[(64 * 1024) + 1, 400 * 1024]));

    private static readonly Gen<ScriptOp> Op = Gen.Frequency(
        (3, Gen.Bool.Select(onServer => new ScriptOp(ScriptOp.Action.Open, onServer, 0, 0))),
        (8, Gen.Select(Gen.Bool, Gen.Int[0, MaxStreams - 1], WriteLength, (s, i, n) => new ScriptOp(ScriptOp.Action.Write, s, i, n))),
        (2, Gen.Select(Gen.Bool, Gen.Int[0, MaxStreams - 1], (s, i) => new ScriptOp(ScriptOp.Action.HalfClose, s, i, 0))),
        (1, Gen.Select(Gen.Bool, Gen.Int[0, MaxStreams - 1], (s, i) => new ScriptOp(ScriptOp.Action.Reset, s, i, 0))),
        (4, Gen.Select(Gen.Bool, Gen.Int[0, MaxStreams - 1], Gen.Int[1, 64 * 1024], (s, i, n) => new ScriptOp(ScriptOp.Action.Read, s, i, n))));

    private static readonly Gen<ScriptOp[]> Script = Op.Array[1, 60];

    [Theory]
    [MemberData(nameof(SessionPair.AllKinds), MemberType = typeof(SessionPair))]
    public async Task Random_scripts_deliver_every_unreset_byte_once_in_order(TransportKind kind)
    {
        var runs = 0;
        long bytes = 0;
        var resets = 0;
        await Script.SampleAsync(
            async script =>
            {
                var (received, reset) = await RunAsync(kind, script);
                Interlocked.Increment(ref runs);
                Interlocked.Add(ref bytes, received);
                Interlocked.Add(ref resets, reset);
            },
            iter: int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var iter) ? iter : Iterations,
            threads: 1,
            print: script => string.Join(' ', script));
        TestContext.Current.SendDiagnosticMessage($"{kind}: {runs} scripts, {bytes / 1024} KiB delivered, {resets} streams reset");
    }

    [Theory]
    [InlineData(TransportKind.InMemoryPipe)]
    [InlineData(TransportKind.LoopbackTlsCoalesced)]
    public async Task Random_scripts_with_every_write_run_inline_deliver_every_unreset_byte_once_in_order(TransportKind kind)
    {
        // InlineWriteThreshold 0: every write made while the writer is idle runs it on the
        // writing thread, so the inline path and the writer loop interleave as often as possible.
        var options = new MuxOptions { InlineWriteThreshold = 0 };
        var runs = 0;
        await Script.SampleAsync(
            async script =>
            {
                await RunAsync(kind, script, options);
                Interlocked.Increment(ref runs);
            },
            iter: int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var iter) ? iter : Iterations,
            threads: 1,
            print: script => string.Join(' ', script));
        TestContext.Current.SendDiagnosticMessage($"{kind}, every write inline: {runs} scripts");
    }

    private static async Task<(long Received, int Reset)> RunAsync(TransportKind kind, ScriptOp[] script, MuxOptions? options = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var pair = await SessionPair.CreateAsync(kind, options, options);
        var streams = new List<(StreamEnd Client, StreamEnd Server)>();

        foreach (var op in script)
        {
            if (op.Kind == ScriptOp.Action.Open)
            {
                if (streams.Count < MaxStreams)
                {
                    streams.Add(await OpenAsync(pair, op.OnServer, streams.Count, ct));
                }

                continue;
            }

            if (streams.Count == 0)
            {
                continue;
            }

            var slot = streams[op.Stream % streams.Count];
            var end = op.OnServer ? slot.Server : slot.Client;
            switch (op.Kind)
            {
                case ScriptOp.Action.Write when end.CanWrite:
                    end.Write(op.Length);
                    break;
                case ScriptOp.Action.HalfClose when end.CanWrite:
                    end.HalfClose();
                    break;
                case ScriptOp.Action.Reset when !end.Aborted:
                    end.Reset();
                    break;
                case ScriptOp.Action.Read:
                    end.Read(op.Length);
                    break;
            }

            // Let the loops run a little between steps, so steps interleave with transfers.
            await Task.Yield();
        }

        await Task.WhenAll(streams.SelectMany(s => new[] { s.Client.FinishAsync(), s.Server.FinishAsync() })).WaitAsync(ct);

        for (var i = 0; i < streams.Count; i++)
        {
            CheckDirection(i, "client->server", streams[i].Client, streams[i].Server);
            CheckDirection(i, "server->client", streams[i].Server, streams[i].Client);
        }

        Assert.False(pair.Client.IsClosed, "the client session ended");
        Assert.False(pair.Server.IsClosed, "the server session ended");
        await pair.Client.PingAsync(ct);
        await pair.Server.PingAsync(ct);
        while (pair.Client.StreamCount + pair.Server.StreamCount > 0)
        {
            // The last FINs and RSTs may still be on the wire.
            await Task.Delay(5, ct);
        }

        return (streams.Sum(s => s.Client.Received + s.Server.Received), streams.Count(s => s.Client.Aborted || s.Server.Aborted));
    }

    private static async Task<(StreamEnd Client, StreamEnd Server)> OpenAsync(SessionPair pair, bool serverOpens, int index, CancellationToken ct)
    {
        var (opener, acceptor) = pair.Roles(serverOpens);
        var opened = await opener.OpenStreamAsync(ct);
        var accepted = await acceptor.AcceptStreamAsync(ct);
        Assert.Equal(opened.Id, accepted.Id);
        var (clientStream, serverStream) = serverOpens ? (accepted, opened) : (opened, accepted);
        var client = new StreamEnd(clientStream, key: (index * 2) + 1, peerKey: (index * 2) + 2);
        var server = new StreamEnd(serverStream, key: (index * 2) + 2, peerKey: (index * 2) + 1);
        client.Start(ct);
        server.Start(ct);
        return (client, server);
    }

    /// <summary>What <paramref name="to"/> must have seen of what <paramref name="from"/> wrote.</summary>
    private static void CheckDirection(int index, string direction, StreamEnd from, StreamEnd to)
    {
        var where = $"stream #{index} (id {to.Stream.Id}) {direction}";
        Assert.True(from.Problem is null, $"{where}: writer: {from.Problem}");
        Assert.True(to.Problem is null, $"{where}: reader: {to.Problem}");

        // An error on an end is only ever the consequence of a reset, by itself or by its peer.
        Assert.True(to.ReadError is null || Allowed(to, from).Contains(to.ReadError.Value), $"{where}: read failed with {to.ReadError}");
        Assert.True(from.WriteError is null || Allowed(from, to).Contains(from.WriteError.Value), $"{where}: write failed with {from.WriteError}");

        // End of stream only ever follows the writer's FIN, and then everything written came first.
        if (to.Eof)
        {
            Assert.True(from.HalfCloseRequested, $"{where}: end of stream without a FIN");
            Assert.True(to.Received == from.Confirmed, $"{where}: end of stream after {to.Received} of {from.Confirmed} bytes");
        }

        Assert.True(to.Received <= from.Attempted, $"{where}: received {to.Received} bytes, more than the {from.Attempted} written");
        if (!from.Aborted && !to.Aborted)
        {
            Assert.True(from.Confirmed == from.Attempted, $"{where}: only {from.Confirmed} of {from.Attempted} bytes were written (error {from.WriteError})");
            Assert.True(to.Eof, $"{where}: no end of stream (read error {to.ReadError})");
        }
        else if (from.Aborted && !to.Aborted)
        {
            Assert.True(to.Eof || to.ReadError == MuxError.StreamResetByPeer, $"{where}: the reset went unnoticed (read error {to.ReadError})");
        }
    }

    private static MuxError[] Allowed(StreamEnd end, StreamEnd peer) =>
        [.. new[] { (end.Aborted, MuxError.StreamAborted), (peer.Aborted, MuxError.StreamResetByPeer) }.Where(p => p.Item1).Select(p => p.Item2)];
}
