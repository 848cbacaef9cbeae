using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Burrow.Edge.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Edge.Tests.Tcp;

/// <summary>The accept loop of the agent and node-link ports, over real loopback sockets.</summary>
public sealed class AcceptLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Handler_that_throws_is_logged_its_socket_closed_and_the_next_connection_served()
    {
        var ct = TestContext.Current.CancellationToken;
        var logger = new RecordingLogger();
        var served = new TaskCompletionSource<byte>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        await using var loop = new AcceptLoop(ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0)), "test listener", async client =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("a handler bug");
            }

            using (client)
            {
                byte[] one = new byte[1];
                await client.ReceiveAsync(one, ct);
                served.TrySetResult(one[0]);
            }
        }, logger);
        loop.Start();

        using Socket first = await ConnectAsync(loop.LocalEndPoint, ct);
        // The loop closed the socket the failed handler left behind: the client reads the end of the stream.
        Assert.Equal(0, await first.ReceiveAsync(new byte[1], ct).AsTask().WaitAsync(Patience, ct));

        using Socket second = await ConnectAsync(loop.LocalEndPoint, ct);
        await second.SendAsync(new byte[] { 42 }, ct);
        Assert.Equal(42, await served.Task.WaitAsync(Patience, ct));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("test listener", StringComparison.Ordinal) && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Connection_whose_handler_is_still_busy_does_not_hold_up_the_next_accept()
    {
        var ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondServed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        await using var loop = new AcceptLoop(ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0)), "test listener", async client =>
        {
            using (client)
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    await release.Task;
                }
                else
                {
                    secondServed.TrySetResult();
                }
            }
        }, NullLogger.Instance);
        loop.Start();

        using Socket first = await ConnectAsync(loop.LocalEndPoint, ct);
        using Socket second = await ConnectAsync(loop.LocalEndPoint, ct);
        await secondServed.Task.WaitAsync(Patience, ct);
        release.SetResult();
    }

    [Fact]
    public async Task Disposal_refuses_new_connections_and_waits_for_those_being_served()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new AcceptLoop(ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0)), "test listener", async client =>
        {
            using (client)
            {
                started.SetResult();
                await release.Task;
            }
        }, NullLogger.Instance);
        loop.Start();
        IPEndPoint endPoint = loop.LocalEndPoint;
        using Socket client = await ConnectAsync(endPoint, ct);
        await started.Task.WaitAsync(Patience, ct);

        Task disposed = loop.DisposeAsync().AsTask();
        await loop.Completion.WaitAsync(Patience, ct);
        Assert.False(disposed.IsCompleted, "disposal must wait for the connection still being served");
        await Assert.ThrowsAsync<SocketException>(async () => (await ConnectAsync(endPoint, ct)).Dispose());

        release.SetResult();
        await disposed.WaitAsync(Patience, ct);
        Assert.Equal(0, loop.OpenConnections);
    }

    [Fact]
    public async Task Transient_accept_failures_are_logged_and_retried_after_a_pause_that_doubles_up_to_its_cap()
    {
        var ct = TestContext.Current.CancellationToken;
        const int Failures = 10;
        var logger = new RecordingLogger();
        var time = new ManualDelays();
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Socket listening = ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0));
        int accepts = 0;
        await using var loop = new AcceptLoop(listening, "test listener", client =>
        {
            client.Dispose();
            served.TrySetResult();
            return Task.CompletedTask;
        }, logger, time, token =>
        {
            // What a process out of descriptors gets (EMFILE), then the real accept.
            return Interlocked.Increment(ref accepts) <= Failures
                ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets))
                : listening.AcceptAsync(token);
        });
        loop.Start();

        var pauses = new List<TimeSpan>();
        for (int i = 1; i <= Failures; i++)
        {
            (TimeSpan pause, Action elapse) = await time.Requested.Reader.ReadAsync(ct).AsTask().WaitAsync(Patience, ct);
            // The loop waits: no accept is tried again until the pause has passed.
            Assert.Equal(i, Volatile.Read(ref accepts));
            pauses.Add(pause);
            elapse();
        }

        using Socket client = await ConnectAsync(loop.LocalEndPoint, ct);
        await served.Task.WaitAsync(Patience, ct);
        TimeSpan[] expected = [.. Enumerable.Range(0, Failures).Select(n => TimeSpan.FromTicks(Math.Min(AcceptLoop.FirstBackoff.Ticks << n, AcceptLoop.MaxBackoff.Ticks)))];
        Assert.Equal(expected, pauses);
        Assert.Equal(AcceptLoop.MaxBackoff, pauses[^1]);
        Assert.Equal(Failures, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("test listener", StringComparison.Ordinal) && e.Message.Contains("TooManyOpenSockets", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Disposal_during_a_pause_after_a_failed_accept_ends_the_loop()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualDelays();
        var loop = new AcceptLoop(ListenSocket.Open(new IPEndPoint(IPAddress.Loopback, 0)), "test listener", client =>
        {
            client.Dispose();
            return Task.CompletedTask;
        }, NullLogger.Instance, time, _ => ValueTask.FromException<Socket>(new SocketException((int)SocketError.ConnectionAborted)));
        loop.Start();
        await time.Requested.Reader.ReadAsync(ct).AsTask().WaitAsync(Patience, ct);

        await loop.DisposeAsync().AsTask().WaitAsync(Patience, ct);
        Assert.True(loop.Completion.IsCompletedSuccessfully);
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A clock whose delays pass only when the test says so, each one reported with its length.</summary>
    private sealed class ManualDelays : TimeProvider
    {
        public Channel<(TimeSpan Pause, Action Elapse)> Requested { get; } = Channel.CreateUnbounded<(TimeSpan, Action)>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Requested.Writer.TryWrite((dueTime, () => callback(state)));
            return new NeverFiring();
        }

        private sealed class NeverFiring : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
