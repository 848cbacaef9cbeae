using System.IO.Pipelines;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Burrow.Mux.Buffers;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;

namespace Burrow.Bench;

/// <summary>
/// Allocations on the data path: one operation moves 1 MiB (16 writes of 64 KiB) through one
/// stream of a warm session and reads it at the other end. The memory diagnoser counts every
/// thread, so the session's reader, writer and timer loops are included, and so is the harness.
/// </summary>
/// <remarks>
/// The harness allocates nothing per operation: one long-lived loop writes and one reads, and
/// the benchmark method only starts the writer and waits for the reader. Had each operation
/// been an async method, its pooled state machine would miss the pool's per-thread cache now
/// and then and show up here as ~50 bytes per MiB that are not Mux's.
/// Not sealed: BenchmarkDotNet generates a class deriving from it.
/// </remarks>
[MemoryDiagnoser]
public class MuxAllocBenchmarks
{
    private const int BytesPerOperation = 1 << 20;

    private readonly byte[] _data = new byte[BenchSettings.ChunkSize];
    private readonly byte[] _readBuffer = new byte[BenchSettings.ChunkSize];
    private readonly WriterSignal _writeOneMiB = new();
    private readonly object _oneMiBReadGate = new(); // Monitor.Wait/Pulse: blocks without allocating, and owns nothing to dispose
    private bool _oneMiBRead;
    private MuxSession _client = null!;
    private MuxSession _server = null!;
    private MuxStream _sender = null!;
    private MuxStream _receiver = null!;
    private Task _writing = Task.CompletedTask;
    private Task _reading = Task.CompletedTask;
    private volatile bool _stopping;

    public enum Transport
    {
        InMemoryPipe,
        LoopbackTcp,
    }

    [Params(Transport.InMemoryPipe, Transport.LoopbackTcp)]
    public Transport Over { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // Steady state means the buffer pools have grown to the deepest queue the run will see.
        // When the reading thread is descheduled, up to a whole receive window (16 MiB, in
        // 16 KiB blocks) can queue in the stream, and the transport pipes hold up to 1 MiB each.
        // Growing the pools to that depth up front makes the figure the cost per MiB, not the
        // one-time growth that otherwise lands in whichever iteration first sees a new depth.
        Prefill(BlockMemoryPool.Instance, MuxOptions.Default.MaxStreamWindow + (4 << 20));
        Prefill(BlockMemoryPool.TransportRead, 1 << 20);
        Prefill(BlockMemoryPool.TransportWrite, 1 << 20);

        switch (Over)
        {
            case Transport.InMemoryPipe:
                // The transport's pipes take their blocks from a recycling pool, as Kestrel's do;
                // with the default pool (ArrayPool.Shared behind 4 KiB segments) the transport
                // itself allocated ~200 KB per MiB here, which would hide what Mux does.
                var options = new PipeOptions(
                    pool: BlockMemoryPool.Instance,
                    pauseWriterThreshold: 1024 * 1024,
                    resumeWriterThreshold: 512 * 1024,
                    minimumSegmentSize: BlockMemoryPool.DefaultBlockSize,
                    useSynchronizationContext: false);
                var aToB = new Pipe(options);
                var bToA = new Pipe(options);
                _client = MuxSession.Client(new DuplexPipe(bToA.Reader, aToB.Writer));
                _server = MuxSession.Server(new DuplexPipe(aToB.Reader, bToA.Writer));
                break;
            default:
                var (client, server) = await LoopbackTcp.ConnectAsync();
                _client = MuxSession.Client(new NetworkStream(client, ownsSocket: true));
                _server = MuxSession.Server(new NetworkStream(server, ownsSocket: true));
                break;
        }

        var accept = _server.AcceptStreamAsync();
        _sender = await _client.OpenStreamAsync();
        await _sender.WriteAsync(new byte[1]);
        _receiver = await accept;
        await _receiver.ReadExactlyAsync(new byte[1]);
        _writing = Task.Run(WriteLoopAsync);
        _reading = Task.Run(ReadLoopAsync);
        for (var i = 0; i < 256; i++)
        {
            MoveOneMiB(); // grow the receive window before BenchmarkDotNet's own warm-up
        }
    }

    [Benchmark]
    public void MoveOneMiB()
    {
        _writeOneMiB.Set();
        lock (_oneMiBReadGate)
        {
            while (!_oneMiBRead)
            {
                Monitor.Wait(_oneMiBReadGate);
            }

            _oneMiBRead = false;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _stopping = true;
        _writeOneMiB.Set();
        await _writing;
        _sender.CompleteWrites();
        await _reading;
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static void Prefill(BlockMemoryPool pool, int bytes)
    {
        var blocks = Enumerable.Range(0, bytes / pool.BlockSize).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(b => b.Dispose());
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            await _writeOneMiB.WaitAsync();
            if (_stopping)
            {
                return;
            }

            for (var sent = 0; sent < BytesPerOperation; sent += _data.Length)
            {
                await _sender.WriteAsync(_data);
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var received = 0;
        int n;
        while ((n = await _receiver.ReadAsync(_readBuffer)) > 0)
        {
            received += n;
            if (received == BytesPerOperation)
            {
                received = 0;
                lock (_oneMiBReadGate)
                {
                    _oneMiBRead = true;
                    Monitor.Pulse(_oneMiBReadGate);
                }
            }
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
