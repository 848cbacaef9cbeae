using Burrow.Edge.Policy.Variables;
using Burrow.Edge.Routing;

namespace Burrow.Edge.Policy;

/// <summary>
/// What <c>on_tcp_connect</c> decided for one public HTTP connection, per tunnel. ngrok runs that phase once per
/// TCP connection; an http tunnel only learns which tunnel a connection is for from its first request, so the phase
/// runs then, and the later requests of the connection (and the other streams of an HTTP/2 connection, which may
/// arrive at the same moment) wait for and reuse its verdict and the <c>vars</c> it set. A rate limit there counts
/// connections, not requests, as it does on a tcp tunnel.
/// </summary>
internal sealed class TcpConnectVerdicts
{
    // Guarded by itself. Nearly always one entry: a connection rarely reaches a second tunnel.
    private readonly List<(Tunnel Tunnel, Task<TcpConnectVerdict> Verdict)> _verdicts = new(1);

    /// <summary>
    /// The verdict for <paramref name="tunnel"/>; <paramref name="run"/> is called by the first request only, and
    /// <paramref name="ranHere"/> says whether this call made it (then any refusal was already answered on it).
    /// </summary>
    public Task<TcpConnectVerdict> GetOrRun(Tunnel tunnel, Func<Task<TcpConnectVerdict>> run, out bool ranHere)
    {
        TaskCompletionSource<TcpConnectVerdict> pending;
        lock (_verdicts)
        {
            foreach ((Tunnel known, Task<TcpConnectVerdict> verdict) in _verdicts)
            {
                if (ReferenceEquals(known, tunnel))
                {
                    ranHere = false;
                    return verdict;
                }
            }

            pending = new TaskCompletionSource<TcpConnectVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
            _verdicts.Add((tunnel, pending.Task));
        }

        ranHere = true;
        Task<TcpConnectVerdict> running = run();
        // A failed evaluation becomes the connection's verdict too: its later requests fail closed the same way.
        _ = running.ContinueWith(
            static (done, state) => ((TaskCompletionSource<TcpConnectVerdict>)state!).TrySetFromTask(done),
            pending,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return running;
    }
}

/// <summary>The outcome of <c>on_tcp_connect</c> for a connection: admitted or not, and the <c>vars</c> its rules set.</summary>
internal sealed record TcpConnectVerdict(bool Admitted, IReadOnlyList<KeyValuePair<string, object?>> Vars);
