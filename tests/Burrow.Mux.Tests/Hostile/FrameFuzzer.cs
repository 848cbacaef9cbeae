using System.Collections.Concurrent;
using System.Diagnostics;
using Burrow.Mux.Errors;
using Burrow.Mux.Frames;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Mux.Tests.Transports;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>
/// One seeded fuzzing run against a server session over an in-memory pipe. The fuzzer plays the
/// client: mostly valid traffic (SYNs, data within the 256 KiB window, window updates, FIN, RST,
/// pings, late frames) with field mutations (random flags, ids, lengths, Go Away codes) and, now
/// and then, a mutation that breaks the framing (random bytes, a bad version or type, a
/// truncated frame), after which it hangs up. The frames depend only on the seed; where the
/// session cuts the run short depends on timing. Behind the session an echo acceptor serves
/// every stream. Meanwhile every frame the session sends is checked.
/// </summary>
/// <remarks>
/// Afterwards the session must be either healthy (after the fuzzer resets everything it opened,
/// the table empties and a fresh stream echoes) or ended with a reason, and must never have
/// held more than <see cref="MuxOptions.MaxConcurrentStreams"/> streams.
/// </remarks>
internal sealed partial class FrameFuzzer
{
    public static readonly MuxOptions Options = new()
    {
        AcceptBacklog = 8,
        MaxConcurrentStreams = 16,
        MaxFrameSizeRead = MuxOptions.InitialStreamWindow,
        MaxQueuedControlFrames = 4096,
    };

    private const int Window = MuxOptions.InitialStreamWindow;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(5);

    private readonly int _seed;
    private readonly Random _random;
    private readonly int _mutationsPerMille;
    private readonly int _desyncsPerMille;
    private readonly Dictionary<uint, long> _live = []; // streams the fuzzer opened and has not reset -> bytes sent
    private readonly HashSet<uint> _finSent = [];
    private readonly List<uint> _ended = [];
    private readonly ConcurrentDictionary<uint, int> _synsSent = new(); // every id a SYN went out for, mutated or not
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<uint, int> _finsReceived = new();
    private readonly TaskCompletionSource<byte[]> _probeEcho = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte> _probeBytes = [];
    private uint _nextId = 1;
    private uint _probeId;
    private bool _desyncSent;
    private bool _mutated;
    private int _maxStreamCount;
    private int _frames;

    private FrameFuzzer(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        // Some runs stay valid long enough to reach deep stream states; others go after error handling.
        (_mutationsPerMille, _desyncsPerMille) = (seed % 4) switch
        {
            0 => (0, 0),
            1 => (1, 0),
            2 => (5, 1),
            _ => (30, 5),
        };
    }

    /// <summary>Runs one seed for about <paramref name="duration"/> and returns how it ended; throws on any broken invariant.</summary>
    public static Task<string> RunAsync(int seed, TimeSpan duration, CancellationToken cancellationToken) =>
        new FrameFuzzer(seed).RunAsync(duration, cancellationToken);

    private async Task<string> RunAsync(TimeSpan duration, CancellationToken ct)
    {
        var (peer, session) = await RawPeer.ConnectAsync(TransportKind.InMemoryPipe, sessionIsServer: true, Options);
        var acceptor = EchoEverythingAsync(session, ct);
        var checker = CheckOutputAsync(peer, ct);
        string outcome;
        await using (peer)
        {
            var desynced = await SendTrafficAsync(peer, session, duration, ct);
            if (desynced || session.IsClosed)
            {
                // Whatever the session made of the last frames, the end of the transport must end it.
                await peer.CloseOutputAsync();
                var info = await WaitAsync(session.Completion, "the session to end after the peer hung up", ct);
                outcome = $"{(desynced ? "desync" : "closed")}:{info.Reason}";
                Require(session.StreamCount == 0, $"{session.StreamCount} streams left in an ended session");
            }
            else if (await ProveHealthyAsync(peer, session, ct) is { } lateEnd)
            {
                // The session read its way to a mutated frame after the traffic stopped and ended on it.
                outcome = $"closed-late:{lateEnd.Reason}";
                Require(session.StreamCount == 0, $"{session.StreamCount} streams left in an ended session");
            }
            else
            {
                outcome = "healthy";
                await session.DisposeAsync();
                Require((await session.Completion).Reason == MuxCloseReason.LocalClose, "dispose did not end the session as a local close");
            }
        }

        await WaitAsync(acceptor, "the echo acceptor to finish", ct);
        await WaitAsync(checker, "the output checker to finish", ct);
        await session.DisposeAsync();
        Require(_maxStreamCount <= Options.MaxConcurrentStreams, $"the session held {_maxStreamCount} streams, more than MaxConcurrentStreams");
        Require(_violations.IsEmpty, string.Join("; ", _violations));
        return $"{outcome}/{_frames}f/{_maxStreamCount}s";
    }

    /// <summary>Sends random traffic until the time is up, the session ends, or the framing was broken on purpose (returns true).</summary>
    private async Task<bool> SendTrafficAsync(RawPeer peer, MuxSession session, TimeSpan duration, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && !session.IsClosed)
        {
            ct.ThrowIfCancellationRequested();
            var desync = _random.Next(1000) < _desyncsPerMille;
            var mutate = !desync && _random.Next(1000) < _mutationsPerMille;
            var frame = desync ? BreakFraming() : mutate ? Mutate(NextValidFrame()) : NextValidFrame();
            _mutated |= mutate;
            if (desync)
            {
                Volatile.Write(ref _desyncSent, true);
            }

            NoteSyn(frame);
            if (_random.Next(100) < 10 && frame.Length > 1)
            {
                // A frame split across two flushes: the session must reassemble it.
                var cut = _random.Next(1, frame.Length);
                peer.Buffer(frame.AsSpan(0, cut));
                await peer.FlushAsync(ct);
                peer.Buffer(frame.AsSpan(cut));
            }
            else
            {
                peer.Buffer(frame);
            }

            _frames++;
            var flushed = _random.Next(100) < 30 ? await peer.FlushAsync(ct) : true;
            _maxStreamCount = Math.Max(_maxStreamCount, session.StreamCount);
            if (!flushed)
            {
                return desync;
            }

            if (desync)
            {
                await peer.FlushAsync(ct);
                return true;
            }
        }

        await peer.FlushAsync(ct);
        return false;
    }

    /// <summary>
    /// Resets everything the fuzzer ever opened, waits for the table to empty, then echoes a fresh stream.
    /// Returns null when the session proved healthy, or how it ended when it was still reading the fuzzer's
    /// frames and one of them (a mutated one, never a valid one) ended it.
    /// </summary>
    private async Task<MuxCloseInfo?> ProveHealthyAsync(RawPeer peer, MuxSession session, CancellationToken ct)
    {
        foreach (var id in _synsSent.Keys.Order())
        {
            peer.Buffer(RawPeer.Window(id, FrameFlags.Rst));
        }

        await peer.FlushAsync(ct);
        await WaitAsync(UntilAsync(() => session.StreamCount == 0, ct), $"the stream table to empty ({session.StreamCount} left)", ct);

        var probeId = _nextId;
        while (_synsSent.ContainsKey(probeId))
        {
            probeId += 2;
        }

        Volatile.Write(ref _probeId, probeId);
        var probe = System.Text.Encoding.ASCII.GetBytes($"probe for seed {_seed}");
        _synsSent.AddOrUpdate(probeId, 1, static (_, n) => n + 1);
        await peer.SendAsync(RawPeer.Window(probeId, FrameFlags.Syn), RawPeer.Data(probeId, probe, FrameFlags.Fin));
        var first = await WaitAsync(Task.WhenAny(_probeEcho.Task, session.Completion), "the probe stream's echo", ct);
        if (first != _probeEcho.Task)
        {
            var info = await session.Completion;
            Require(_mutated, $"the session ended ({info}) though every frame the fuzzer sent was valid");
            Require(info.Reason != MuxCloseReason.LocalClose, $"the session closed itself ({info}) while the probe was open");
            return info;
        }

        var echoed = await _probeEcho.Task;
        Require(echoed.AsSpan().SequenceEqual(probe), "the probe stream echoed different bytes");
        await WaitAsync(UntilAsync(() => session.StreamCount == 0, ct), "the probe stream to leave the table", ct);
        Require(!session.IsClosed, "the session ended during the probe");
        return null;
    }

    /// <summary>Checks every frame the session sends; collects the probe stream's echo.</summary>
    private async Task CheckOutputAsync(RawPeer peer, CancellationToken ct)
    {
        try
        {
            while (await peer.NextFrameAsync(ct) is { } frame)
            {
                var header = frame.Header;
                if (header.Type is FrameType.Ping or FrameType.GoAway)
                {
                    if (header.StreamId != 0)
                    {
                        _violations.Enqueue($"the session sent {header} on a stream");
                    }

                    continue;
                }

                var id = header.StreamId;
                var syns = _synsSent.GetValueOrDefault(id);
                if (syns == 0 && !Volatile.Read(ref _desyncSent))
                {
                    _violations.Enqueue($"the session sent {header} for stream {id}, which the fuzzer never opened");
                    continue;
                }

                var finsBefore = _finsReceived.GetValueOrDefault(id);
                if (finsBefore > 0 && syns == 1 && (header.Type == FrameType.Data && header.Length > 0 || frame.Has(FrameFlags.Fin)))
                {
                    _violations.Enqueue($"the session sent {header} after its FIN on stream {id}");
                }

                if (frame.Has(FrameFlags.Fin))
                {
                    _finsReceived.AddOrUpdate(id, 1, static (_, n) => n + 1);
                }

                if (id != 0 && id == Volatile.Read(ref _probeId))
                {
                    _probeBytes.AddRange(frame.Payload);
                    if (frame.Has(FrameFlags.Fin))
                    {
                        _probeEcho.TrySetResult([.. _probeBytes]);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _violations.Enqueue($"reading the session's output failed: {ex.Message}");
        }
    }

    /// <summary>Echoes every accepted stream. Only MuxException may come out of the stream API.</summary>
    private async Task EchoEverythingAsync(MuxSession session, CancellationToken ct)
    {
        var echoes = new List<Task>();
        try
        {
            while (true)
            {
                var stream = await session.AcceptStreamAsync(ct);
                echoes.Add(Task.Run(() => EchoAsync(stream, ct), ct));
            }
        }
        catch (MuxException ex) when (ex.Error == MuxError.SessionClosed)
        {
        }

        await Task.WhenAll(echoes);
    }

    private async Task EchoAsync(MuxStream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            stream.CompleteWrites();
        }
        catch (MuxException)
        {
            // Reset by the fuzzer, or the session ended: expected.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _violations.Enqueue($"stream {stream.Id}: the stream API threw {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new Xunit.Sdk.XunitException($"fuzz seed {_seed} after {_frames} frames: {problem}");
        }
    }

    private async Task<T> WaitAsync<T>(Task<T> task, string what, CancellationToken ct)
    {
        await WaitAsync((Task)task, what, ct);
        return await task;
    }

    private async Task WaitAsync(Task task, string what, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(SettleTimeout, ct);
        }
        catch (TimeoutException)
        {
            Require(false, $"timed out waiting for {what}");
        }
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(5, ct);
        }
    }
}
