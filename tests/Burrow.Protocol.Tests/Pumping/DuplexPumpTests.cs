using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Burrow.Protocol.Pumping;

namespace Burrow.Protocol.Tests.Pumping;

/// <summary>
/// <see cref="DuplexPump"/> between two real loopback TCP connections: client A ⇄ [pump] ⇄ client B,
/// as the edge pumps between a public client and a proxy stream and the agent between a proxy
/// stream and an upstream.
/// </summary>
public sealed class DuplexPumpTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task LargeTransfer_BothWaysAtOnce_ArrivesIntact()
    {
        var ct = Timeout();
        await using var rig = await Rig.StartAsync();
        var toB = RandomBytes(8 * 1024 * 1024, 1);
        var toA = RandomBytes(6 * 1024 * 1024, 2);

        var sendA = SendThenShutdownAsync(rig.A, toB, ct);
        var sendB = SendThenShutdownAsync(rig.B, toA, ct);
        var gotB = ReadToEndAsync(rig.B, ct);
        var gotA = ReadToEndAsync(rig.A, ct);
        await Task.WhenAll(sendA, sendB);

        Assert.Equal(SHA256.HashData(toB), SHA256.HashData(await gotB));
        Assert.Equal(SHA256.HashData(toA), SHA256.HashData(await gotA));
        Assert.True(await rig.Pump.WaitAsync(ct), "both directions ended cleanly");
        Assert.Equal(toB.Length, rig.Activity.WrittenTowardB);
        Assert.Equal(toA.Length, rig.Activity.WrittenTowardA);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HalfClose_OneSideFinishes_OtherSideReadsEndAndCanStillAnswer(bool aFinishesFirst)
    {
        var ct = Timeout();
        await using var rig = await Rig.StartAsync();
        var (first, second) = aFinishesFirst ? (rig.A, rig.B) : (rig.B, rig.A);

        await first.SendAsync("request"u8.ToArray(), SocketFlags.None, ct);
        first.Shutdown(SocketShutdown.Send);
        Assert.Equal("request"u8.ToArray(), await ReadToEndAsync(second, ct));
        Assert.False(rig.Pump.IsCompleted, "one direction is still open");

        await second.SendAsync("answer after the FIN"u8.ToArray(), SocketFlags.None, ct);
        second.Shutdown(SocketShutdown.Send);
        Assert.Equal("answer after the FIN"u8.ToArray(), await ReadToEndAsync(first, ct));
        Assert.True(await rig.Pump.WaitAsync(ct));
    }

    [Fact]
    public async Task Reset_OnOneSide_AbortsTheOtherWithAReset()
    {
        var ct = Timeout();
        await using var rig = await Rig.StartAsync();
        await rig.B.SendAsync("partial"u8.ToArray(), SocketFlags.None, ct);
        var partial = new byte[7];
        await rig.A.ReceiveAsync(partial, SocketFlags.None, ct);

        rig.A.LingerState = new LingerOption(true, 0);
        rig.A.Close(); // RST toward the pump

        Assert.False(await rig.Pump.WaitAsync(ct), "a reset is not a clean end");
        var error = await Assert.ThrowsAsync<SocketException>(async () => await ReadToEndAsync(rig.B, ct));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task RefusedGate_AbortsBothBeforeAnyByteReachesA()
    {
        var ct = Timeout();
        await using var rig = await Rig.StartAsync(gate: () => Task.FromResult(false));
        Assert.False(await rig.Pump.WaitAsync(ct));
        var error = await Assert.ThrowsAsync<SocketException>(async () => await ReadToEndAsync(rig.A, ct));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task AnEndThatStopsItsReadingWhenHalfClosedToward_EndsCleanly()
    {
        // Like a Kestrel connection (TLS pass-through): it cannot half-close, so when the other side is done it closes
        // its output and cancels its own pending read; the pump must take that as the end, not as a failure.
        var ct = Timeout();
        var fromClient = new System.IO.Pipelines.Pipe();
        var toClient = new System.IO.Pipelines.Pipe();
        var (b, bServer) = await Rig.ConnectAsync();
        using (b)
        {
            var client = new PumpEnd(
                fromClient.Reader.AsStream(leaveOpen: true),
                toClient.Writer.AsStream(leaveOpen: true),
                async () =>
                {
                    await toClient.Writer.CompleteAsync();
                    fromClient.Reader.CancelPendingRead();
                },
                () => toClient.Writer.Complete(new IOException("aborted")));
            Task<bool> pump = DuplexPump.RunAsync(client, Rig.End(bServer));

            await fromClient.Writer.WriteAsync("hello"u8.ToArray(), ct);
            var hello = new byte[5];
            await b.ReceiveAsync(hello, SocketFlags.None, ct);
            Assert.Equal("hello"u8.ToArray(), hello);
            await b.SendAsync("bye"u8.ToArray(), SocketFlags.None, ct);
            b.Shutdown(SocketShutdown.Send);

            using var got = new MemoryStream();
            await toClient.Reader.AsStream().CopyToAsync(got, ct);
            Assert.Equal("bye"u8.ToArray(), got.ToArray());
            Assert.True(await pump.WaitAsync(ct), "both directions ended cleanly");
            Assert.Empty(await ReadToEndAsync(b, ct));
        }
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task SendThenShutdownAsync(Socket socket, byte[] data, CancellationToken ct)
    {
        await socket.SendAsync(data, SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0)
            {
                return copy.ToArray();
            }

            copy.Write(buffer, 0, read);
        }
    }

    private sealed class CountingActivity : IPumpActivity
    {
        public long WrittenTowardB;
        public long WrittenTowardA;

        public void OnRead(bool towardB, int bytes)
        {
        }

        public void OnWritten(bool towardB, int bytes)
        {
            if (towardB)
            {
                Interlocked.Add(ref WrittenTowardB, bytes);
            }
            else
            {
                Interlocked.Add(ref WrittenTowardA, bytes);
            }
        }
    }

    /// <summary>Two loopback connections; the pump joins their server sides. A and B are the client sockets.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(Socket a, Socket b, Task<bool> pump, CountingActivity activity)
        {
            A = a;
            B = b;
            Pump = pump;
            Activity = activity;
        }

        public Socket A { get; }

        public Socket B { get; }

        public Task<bool> Pump { get; }

        public CountingActivity Activity { get; }

        public static async Task<Rig> StartAsync(Func<Task<bool>>? gate = null)
        {
            var (a, aServer) = await ConnectAsync();
            var (b, bServer) = await ConnectAsync();
            var activity = new CountingActivity();
            var pump = DuplexPump.RunAsync(End(aServer), End(bServer), activity, gate);
            return new Rig(a, b, pump, activity);
        }

        public async ValueTask DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await Pump.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public static PumpEnd End(Socket socket)
        {
            var stream = new NetworkStream(socket, ownsSocket: true);
            return new PumpEnd(
                stream,
                stream,
                () =>
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return ValueTask.CompletedTask;
                },
                () =>
                {
                    try
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }
                    catch (ObjectDisposedException)
                    {
                        // Closed already: the pump disposed it, or the test did.
                    }

                    socket.Dispose();
                },
                stream.DisposeAsync);
        }

        public static async Task<(Socket Client, Socket Server)> ConnectAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var accept = listener.AcceptAsync();
            await client.ConnectAsync(listener.LocalEndPoint!);
            return (client, await accept);
        }
    }
}
