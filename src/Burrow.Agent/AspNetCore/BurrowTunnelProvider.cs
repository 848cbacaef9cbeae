namespace Burrow.Agent.AspNetCore;

/// <summary>
/// The app's tunnel, from dependency injection: what <c>UseBurrowTunnel</c> or <c>AddBurrowTunnel</c> opened.
/// Ask it for the public URL, e.g. to register a webhook with it.
/// </summary>
public sealed class BurrowTunnelProvider
{
    private readonly TaskCompletionSource<BurrowTunnel> _tunnel = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile BurrowTunnel? _online;

    /// <summary>The tunnel once online, else <see langword="null"/>.</summary>
    public BurrowTunnel? Tunnel => _online;

    /// <summary>The tunnel, once it is online; fails with the reason (a <see cref="BurrowException"/>) when it could not open.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<BurrowTunnel> GetTunnelAsync(CancellationToken cancellationToken = default) => _tunnel.Task.WaitAsync(cancellationToken);

    internal void Opened(BurrowTunnel tunnel)
    {
        _online = tunnel;
        _tunnel.TrySetResult(tunnel);
    }

    internal void Failed(Exception error) => _tunnel.TrySetException(error);
}
