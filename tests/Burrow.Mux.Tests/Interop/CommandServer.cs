using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Burrow.Mux.Errors;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Tests.Interop;

/// <summary>
/// The acceptor side of yamuxpeer's per-stream command protocol (tests/interop/go/yamuxpeer/main.go),
/// written against <see cref="MuxSession"/>: it accepts every stream the peer opens and serves the
/// command in its first byte. With it, the Go client can drive our server, and the Go server's
/// open-back probe finds an echo on our side.
/// </summary>
internal sealed class CommandServer
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly MuxSession _session;
    private readonly CancellationToken _cancellationToken;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<string> _probeReplies = new();
    private readonly ConcurrentDictionary<char, int> _served = new();
    private readonly Lock _handlersLock = new();
    private readonly List<Task> _handlers = [];

    private CommandServer(MuxSession session, CancellationToken cancellationToken)
    {
        _session = session;
        _cancellationToken = cancellationToken;
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Completes when the session has ended and every stream handler has finished.</summary>
    public Task Completion { get; }

    /// <summary>Streams whose command failed on our side, one line each.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>What our 'O' handler answered, in order.</summary>
    public IReadOnlyCollection<string> ProbeReplies => _probeReplies;

    public static CommandServer Start(MuxSession session, CancellationToken cancellationToken) => new(session, cancellationToken);

    /// <summary>How many streams carried <paramref name="command"/> and were served to the end.</summary>
    public int Served(char command) => _served.GetValueOrDefault(command);

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                var stream = await _session.AcceptStreamAsync(_cancellationToken);
                lock (_handlersLock)
                {
                    _handlers.Add(Task.Run(() => ServeAsync(stream), CancellationToken.None));
                }
            }
        }
        catch (MuxException ex) when (ex.Error == MuxError.SessionClosed)
        {
            // The peer hung up: the normal end.
        }

        Task[] handlers;
        lock (_handlersLock)
        {
            handlers = [.. _handlers];
        }

        await Task.WhenAll(handlers);
    }

    private async Task ServeAsync(MuxStream stream)
    {
        var ct = _cancellationToken;
        var command = '?';
        try
        {
            var first = new byte[1];
            if (await stream.ReadAtLeastAsync(first, 1, throwOnEndOfStream: false, ct) == 0)
            {
                return;
            }

            command = (char)first[0];
            switch (command)
            {
                case 'E':
                    await EchoAsync(stream, ct);
                    break;
                case 'S':
                    await SinkAsync(stream, ct);
                    break;
                case 'G':
                    await GenerateAsync(stream, ct);
                    break;
                case 'R':
                    await ReadThenResetAsync(stream, ct);
                    break;
                case 'O':
                    await ProbeOpenAsync(stream, ct);
                    break;
                default:
                    throw new InvalidDataException($"unknown command {first[0]}");
            }

            _served.AddOrUpdate(command, 1, static (_, n) => n + 1);
        }
        catch (Exception ex)
        {
            _failures.Enqueue($"stream {stream.Id} command '{command}': {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private static async Task EchoAsync(MuxStream stream, CancellationToken ct)
    {
        var buffer = new byte[GoPattern.ChunkSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        stream.CompleteWrites();
    }

    private static async Task SinkAsync(MuxStream stream, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[GoPattern.ChunkSize];
        long count = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            count += read;
        }

        var reply = new byte[8 + 32];
        BinaryPrimitives.WriteInt64BigEndian(reply, count);
        hash.GetHashAndReset(reply.AsSpan(8));
        await stream.WriteAsync(reply, ct);
        stream.CompleteWrites();
    }

    private static async Task GenerateAsync(MuxStream stream, CancellationToken ct)
    {
        var header = new byte[8];
        await stream.ReadExactlyAsync(header, ct);
        var total = BinaryPrimitives.ReadInt64BigEndian(header);
        for (long offset = 0; offset < total; offset += GoPattern.ChunkSize)
        {
            await stream.WriteAsync(GoPattern.Slice(offset, (int)Math.Min(GoPattern.ChunkSize, total - offset)), ct);
        }

        stream.CompleteWrites();
    }

    private static async Task ReadThenResetAsync(MuxStream stream, CancellationToken ct)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, ct);
        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(header)], ct);
        stream.Abort();
    }

    /// <summary>Mirrors main.go's probeOpen: open a stream back, echo one byte on it, report the outcome as a line.</summary>
    private async Task ProbeOpenAsync(MuxStream stream, CancellationToken ct)
    {
        string reply;
        try
        {
            var back = await _session.OpenStreamAsync(ct);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(ProbeTimeout);
                await back.WriteAsync("Ex"u8.ToArray(), timeout.Token);
                await back.ReadExactlyAsync(new byte[1], timeout.Token);
                reply = "OPENED";
            }
            catch (MuxStreamException ex) when (ex.Error == MuxError.StreamResetByPeer)
            {
                reply = $"REFUSED-BY-PEER {ex.Message}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                reply = $"NO-ANSWER no echo within {ProbeTimeout.TotalSeconds} s";
            }
            finally
            {
                await back.DisposeAsync();
            }
        }
        catch (MuxException ex) when (ex is not MuxStreamException)
        {
            reply = $"REFUSED {ex.Error}: {ex.Message}";
        }

        _probeReplies.Enqueue(reply);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\n"), ct);
        stream.CompleteWrites();
    }
}
