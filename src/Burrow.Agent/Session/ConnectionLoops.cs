using Burrow.Agent.Forwarding;
using Burrow.Mux.Sessions;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// What runs on a connection to the edge once it is authenticated, the same for the first leg (<see cref="SessionLoop"/>)
/// and the others (<see cref="ExtraLeg"/>): the control stream's read loop, the proxy streams the edge opens, and the
/// heartbeat. It says when the connection has ended and, once stopped, why.
/// </summary>
internal sealed class ConnectionLoops
{
    private readonly MuxSession _mux;
    private readonly Task _control;
    private readonly Task _proxyStreams;
    private readonly Task<bool> _heartbeat;

    private ConnectionLoops(MuxSession mux, Task control, Task proxyStreams, Task<bool> heartbeat)
    {
        _mux = mux;
        _control = control;
        _proxyStreams = proxyStreams;
        _heartbeat = heartbeat;
    }

    /// <summary>Starts the three loops; they run until <paramref name="session"/> is cancelled or the connection ends.</summary>
    public static ConnectionLoops Start(MuxSession mux, ControlChannel channel, ProxyStreamHandler proxyStreams, Heartbeat heartbeat, AuthResultMessage authResult, CancellationToken session)
    {
        Task control = channel.ReadLoopAsync();
        Task accepting = proxyStreams.AcceptLoopAsync(mux, session);
        Task<bool> pinging = heartbeat.RunAsync(mux, authResult, session);
        return new ConnectionLoops(mux, control, accepting, pinging);
    }

    /// <summary>
    /// Completes when the connection ends (the mux closed, a keepalive lost, the control stream closed), when
    /// <paramref name="alsoEndOn"/> completes, or when <paramref name="stopping"/> is cancelled; never throws.
    /// </summary>
    public Task EndedAsync(Task? alsoEndOn, CancellationToken stopping) =>
        alsoEndOn is null
            ? Task.WhenAny(_mux.Completion, _control, Task.Delay(Timeout.Infinite, stopping))
            : Task.WhenAny(_mux.Completion, _control, alsoEndOn, Task.Delay(Timeout.Infinite, stopping));

    /// <summary>Cancels <paramref name="session"/> (the loops' token) and waits for the three loops to end.</summary>
    public async Task StopAsync(CancellationTokenSource session)
    {
        await session.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_control, _proxyStreams, _heartbeat).ConfigureAwait(false);
    }

    /// <summary>Why the connection ended, once <see cref="StopAsync"/> returned; <paramref name="peer"/> names the other end (<c>edge</c>, <c>node</c>).</summary>
    public async Task<string> WhyEndedAsync(string peer) =>
        await _heartbeat.ConfigureAwait(false)
            ? $"no keepalive answer from the {peer}"
            : _mux.Completion.IsCompleted ? ConnectionFailures.DescribeEnd(await _mux.Completion.ConfigureAwait(false)) : $"the {peer} closed the control stream";
}
