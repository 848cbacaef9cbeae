using Burrow.Agent;
using Burrow.Testing;

namespace Burrow.Sdk.Tests;

/// <summary>A real edge on loopback (the one Burrow.Testing starts), and clients that reach its public URLs.</summary>
public sealed class SdkEdge : IAsyncLifetime
{
    private BurrowTestEdge _edge = null!;

    public string AgentAddress => _edge.AgentAddress;

    public async ValueTask InitializeAsync() => _edge = await BurrowTestEdge.StartAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _edge.DisposeAsync();

    /// <summary>Settings that reach this edge.</summary>
    public BurrowTunnelOptions Options(string? url = null)
    {
        BurrowTunnelOptions options = _edge.TunnelOptions();
        options.Url = url;
        options.StartTimeout = TimeSpan.FromSeconds(20);
        return options;
    }

    public HttpClient PublicClient() => new(_edge.CreateHandler()) { Timeout = TimeSpan.FromSeconds(20) };
}
