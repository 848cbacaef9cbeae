using System.Threading.Channels;
using Burrow.Mux.Errors;
using Burrow.Mux.Streams;

namespace Burrow.Mux.Tests.Properties;

/// <summary>
/// One end of a stream under a script: a writer loop and a reader loop fed by queues, so the
/// script never blocks on flow control, plus what happened, for the checks afterwards. Bytes
/// written are <see cref="Pattern"/>(<see cref="Key"/>, offset), so the other end can check every
/// byte it receives against its offset: loss, duplication and reordering all show up.
/// </summary>
internal sealed class StreamEnd
{
    private const int HalfCloseCommand = -1;
    private const int DrainCommand = 0;

    private readonly Channel<int> _writes = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<int> _reads = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loops;

    public StreamEnd(MuxStream stream, int key, int peerKey)
    {
        Stream = stream;
        Key = key;
        PeerKey = peerKey;
    }

    public MuxStream Stream { get; }

    public int Key { get; }

    public int PeerKey { get; }

    // Model state, touched only by the script driver.
    public long Attempted { get; private set; }

    public bool HalfCloseRequested { get; private set; }

    public bool Aborted { get; private set; }

    // Outcomes, written by the loops and read after they finish.
    public long Confirmed { get; private set; }

    public long Received { get; private set; }

    public bool Eof { get; private set; }

    public MuxError? ReadError { get; private set; }

    public MuxError? WriteError { get; private set; }

    public string? Problem { get; private set; }

    public bool CanWrite => !HalfCloseRequested && !Aborted;

    /// <summary>The byte at <paramref name="offset"/> of the direction keyed <paramref name="key"/>: a hash, so no short period hides a shifted copy.</summary>
    public static byte Pattern(int key, long offset)
    {
        var x = ((ulong)offset * 0x9E3779B97F4A7C15UL) ^ ((ulong)key * 0xC2B2AE3D27D4EB4FUL);
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 32;
        return (byte)x;
    }

    public void Start(CancellationToken ct) => _loops = Task.WhenAll(Task.Run(() => WriteLoopAsync(ct), ct), Task.Run(() => ReadLoopAsync(ct), ct));

    public void Write(int length)
    {
        Attempted += length;
        _writes.Writer.TryWrite(length);
    }

    public void HalfClose()
    {
        HalfCloseRequested = true;
        _writes.Writer.TryWrite(HalfCloseCommand);
    }

    public void Reset()
    {
        Aborted = true;
        Stream.Abort();
    }

    public void Read(int length) => _reads.Writer.TryWrite(length);

    /// <summary>The script is over: half-close unless already closed or reset, read to the end, and let the loops finish.</summary>
    public Task FinishAsync()
    {
        if (CanWrite)
        {
            HalfClose();
        }

        _reads.Writer.TryWrite(DrainCommand);
        _writes.Writer.TryComplete();
        _reads.Writer.TryComplete();
        return _loops!;
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        await foreach (var command in _writes.Reader.ReadAllAsync(ct))
        {
            if (WriteError is not null || Problem is not null)
            {
                continue;
            }

            try
            {
                if (command == HalfCloseCommand)
                {
                    Stream.CompleteWrites();
                    continue;
                }

                var data = new byte[command];
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = Pattern(Key, Confirmed + i);
                }

                await Stream.WriteAsync(data, ct);
                Confirmed += command;
            }
            catch (MuxStreamException ex)
            {
                WriteError = ex.Error;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Problem = $"write threw {ex.GetType().Name}: {ex.Message}";
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        await foreach (var command in _reads.Reader.ReadAllAsync(ct))
        {
            do
            {
                if (Eof || ReadError is not null || Problem is not null)
                {
                    break;
                }

                await ReadOnceAsync(buffer.AsMemory(0, command == DrainCommand ? buffer.Length : Math.Min(command, buffer.Length)), ct);
            }
            while (command == DrainCommand);
        }
    }

    private async Task ReadOnceAsync(Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            var read = await Stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                Eof = true;
                return;
            }

            var span = buffer.Span[..read];
            for (var i = 0; i < span.Length; i++)
            {
                if (span[i] != Pattern(PeerKey, Received + i))
                {
                    Problem = $"byte {Received + i} differs from what the peer wrote there";
                    return;
                }
            }

            Received += read;
        }
        catch (MuxStreamException ex)
        {
            ReadError = ex.Error;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Problem = $"read threw {ex.GetType().Name}: {ex.Message}";
        }
    }
}
