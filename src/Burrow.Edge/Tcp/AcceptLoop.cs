using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Tcp;

/// <summary>
/// The accept loop of the edge's own listening ports (the agent port, the node-link port): takes each connection and
/// hands it to a handler off the loop, so one slow TLS handshake never holds up the next accept.
/// </summary>
/// <remarks>
/// <para>A handler that throws is logged and its socket closed; the loop goes on. An accept that fails for a reason
/// that may pass (out of file descriptors, a connection aborted before it was taken) is logged with the listener's
/// name and address and retried after a short pause that doubles up to <see cref="MaxBackoff"/>, so a process out of
/// descriptors neither spins nor stops listening.</para>
/// <para>The loop ends when the listening socket is closed (<see cref="StopAccepting"/>, <see cref="DisposeAsync"/>);
/// the connections already handed off are tracked so that their owner can wait for them to finish.</para>
/// </remarks>
internal sealed partial class AcceptLoop : IAsyncDisposable
{
    /// <summary>The pause after the first failed accept in a row. Go's net/http server uses the same 5 ms, doubling to 1 s.</summary>
    internal static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(5);

    /// <summary>The longest pause between failed accepts: a listener that recovers takes connections again within it.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly string _listener;
    private readonly Func<Socket, Task> _serve;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, ValueTask<Socket>> _accept;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _nextId;
    private int _stopped;
    private Task _loop = Task.CompletedTask;

    /// <param name="listening">A bound, listening socket; the loop owns it and closes it when it stops.</param>
    /// <param name="listener">What the port is, for the log (e.g. <c>agent listener</c>).</param>
    /// <param name="serve">Serves one accepted connection and owns its socket; the task is the connection's lifetime.</param>
    /// <param name="logger">Where accept and handler failures go.</param>
    /// <param name="time">Times the pause after a failed accept.</param>
    public AcceptLoop(Socket listening, string listener, Func<Socket, Task> serve, ILogger logger, TimeProvider? time = null)
        : this(listening, listener, serve, logger, time ?? TimeProvider.System, listening.AcceptAsync)
    {
    }

    /// <summary>For testing: <paramref name="accept"/> stands in for the socket's, to fail as a real one does only under load.</summary>
    internal AcceptLoop(Socket listening, string listener, Func<Socket, Task> serve, ILogger logger, TimeProvider time, Func<CancellationToken, ValueTask<Socket>> accept)
    {
        _socket = listening;
        _listener = listener;
        _serve = serve;
        _logger = logger;
        _time = time;
        _accept = accept;
        LocalEndPoint = (IPEndPoint)listening.LocalEndPoint!;
    }

    /// <summary>The address the listening socket is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The connections handed off and not yet finished.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Completes when the loop has ended (the listening socket closed).</summary>
    public Task Completion => _loop;

    /// <summary>Starts accepting.</summary>
    public void Start() => _loop = RunAsync();

    /// <summary>Closes the listening socket (new connections are refused); the connections already handed off go on.</summary>
    public void StopAccepting()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            // Cancelled before the socket closes, so the loop knows the accept that fails next is a stop, not a fault.
            _stopping.Cancel();
        }

        _socket.Dispose();
    }

    /// <summary>Completes when every connection handed off so far has finished.</summary>
    public Task WhenConnectionsClosedAsync() => Task.WhenAll(_connections.Values);

    /// <summary>Stops accepting, then waits for the loop and for every connection it handed off.</summary>
    public async ValueTask DisposeAsync()
    {
        StopAccepting();
        await _loop.ConfigureAwait(false);
        await WhenConnectionsClosedAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        TimeSpan backoff = TimeSpan.Zero;
        while (true)
        {
            Socket client;
            try
            {
                client = await _accept(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStop(ex))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors (EMFILE), a connection reset or aborted before it was taken: the next may work.
                backoff = backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                Log.AcceptFailed(_logger, _listener, LocalEndPoint, ex.SocketErrorCode, backoff, ex.Message);
                try
                {
                    await Task.Delay(backoff, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            backoff = TimeSpan.Zero;
            HandOff(client);
        }
    }

    // The listening socket closed under the accept (by StopAccepting, or by its owner): the loop is over.
    private bool IsStop(Exception ex) =>
        _stopping.IsCancellationRequested
        || ex is ObjectDisposedException
        || ex is SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted };

    private void HandOff(Socket client)
    {
        long id = Interlocked.Increment(ref _nextId);
        Task connection = ServeAsync(client, id);
        _connections[id] = connection;
        if (connection.IsCompleted)
        {
            // It finished before it was added (its own removal ran first): nothing is left to wait for.
            _connections.TryRemove(id, out _);
        }
    }

    private async Task ServeAsync(Socket client, long id)
    {
        await Task.Yield(); // off the accept loop
        EndPoint? remote = client.RemoteEndPoint;
        try
        {
            await _serve(client).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever a handler throws is its own bug: logged here rather than taking the port down or going unobserved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, _listener, remote?.ToString() ?? "unknown", ex);
            client.Dispose();
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    private static partial class Log
    {
        // 1010 was the agent port's own accept failure (AgentAcceptFailed) before both ports shared this loop.
        [LoggerMessage(EventId = 1010, EventName = "AcceptFailed", Level = LogLevel.Warning,
            Message = "Accepting a connection on the {Listener} ({EndPoint}) failed ({Error}); trying again in {Backoff}: {Reason}")]
        public static partial void AcceptFailed(ILogger logger, string listener, IPEndPoint endPoint, SocketError error, TimeSpan backoff, string reason);

        [LoggerMessage(EventId = 1013, EventName = "AcceptedConnectionFailed", Level = LogLevel.Error,
            Message = "A connection from {RemoteAddress} on the {Listener} failed unexpectedly; it was closed, the listener goes on")]
        public static partial void HandlerFailed(ILogger logger, string listener, string remoteAddress, Exception exception);
    }
}
