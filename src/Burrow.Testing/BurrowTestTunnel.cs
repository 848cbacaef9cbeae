using System.Security.Cryptography.X509Certificates;
using Burrow.Agent;

namespace Burrow.Testing;

/// <summary>
/// An app under test with a public URL: the app runs on Kestrel with the tunnel as its only endpoint.
/// Dispose it to stop the app, the tunnel and (when one was started) the local edge.
/// </summary>
public sealed class BurrowTestTunnel : IAsyncDisposable
{
    private readonly IAsyncDisposable _app;
    private readonly IAsyncDisposable? _edge;
    private readonly X509Certificate2? _edgeCa;

    internal BurrowTestTunnel(BurrowTunnel tunnel, IServiceProvider services, IAsyncDisposable app, IAsyncDisposable? edge, string? edgeCaPem)
    {
        Tunnel = tunnel;
        Services = services;
        _app = app;
        _edge = edge;
        _edgeCa = edgeCaPem is null ? null : X509Certificate2.CreateFromPem(edgeCaPem);
    }

    /// <summary>The app's public URL, e.g. <c>https://k3x9q2.localhost:39211</c> on the local edge.</summary>
    public Uri Url => Tunnel.Url;

    /// <summary>The tunnel, for its events and its agent's counters.</summary>
    public BurrowTunnel Tunnel { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The local edge's CA when the helper started one (its HTTPS certificates chain to it), else <see langword="null"/>.</summary>
    public X509Certificate2? EdgeCa => _edgeCa;

    /// <summary>
    /// A handler that reaches the public URL the way an outside client does: it trusts the local edge's CA when there
    /// is one, and dials <c>*.localhost</c> names on loopback.
    /// </summary>
    public HttpMessageHandler CreateHandler() => PublicClientHandler.Create(_edgeCa);

    /// <summary>A client whose base address is <see cref="Url"/>; see <see cref="CreateHandler"/>.</summary>
    public HttpClient CreateClient() => new(CreateHandler()) { BaseAddress = Url };

    /// <summary>Stops the app (and so the tunnel), then the local edge if the helper started one.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        await Tunnel.DisposeAsync().ConfigureAwait(false);
        if (_edge is not null)
        {
            await _edge.DisposeAsync().ConfigureAwait(false);
        }

        _edgeCa?.Dispose();
    }
}
