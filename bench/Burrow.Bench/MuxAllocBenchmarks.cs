using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Burrow.Mux;
using Burrow.Mux.Buffers;

namespace Burrow.Bench;

/// <summary>
/// Allocations on the data path: one operation moves 1 MiB (16 writes of 64 KiB) through one
/// stream of a warm session and reads it at the other end. The memory diagnoser counts every
/// thread, so the session's reader, writer and timer loops are included, and so is the harness.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet generates a class deriving from it.</remarks>
[MemoryDiagnoser]
public class MuxAllocBenchmarks
{
    private const int BytesPerOperation = 1 << 20;

    private readonly byte[] _data = new byte[BenchSettings.ChunkSize];
    private readonly byte[] _readBuffer = new byte[BenchSettings.ChunkSize];
    private MuxSession _client = null!;
    private MuxSession _server = null!;
    private MuxStream _sender = null!;
    private MuxStream _receiver = null!;

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
        for (var i = 0; i < 256; i++)
        {
            await MoveOneMiB(); // grow the receive window and fill the buffer pool before BenchmarkDotNet's own warm-up
        }
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask MoveOneMiB()
    {
        var received = ReceiveAsync(BytesPerOperation);
        for (var sent = 0; sent < BytesPerOperation; sent += _data.Length)
        {
            await _sender.WriteAsync(_data);
        }

        await received;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReceiveAsync(int bytes)
    {
        while (bytes > 0)
        {
            var n = await _receiver.ReadAsync(_readBuffer);
            if (n == 0)
            {
                throw new EndOfStreamException("the stream ended early");
            }

            bytes -= n;
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
