using Burrow.Edge.Access;
using Burrow.Edge.Agents;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;

namespace Burrow.Edge.Tests.Forwarding;

/// <summary>
/// Where a public HTTP request goes on a single edge. The cluster's cases (another node, a pool shared across nodes)
/// are pinned with real nodes in Burrow.Cluster.Tests (Traffic, Pooling).
/// </summary>
public sealed class RequestRouterTests
{
    private static readonly EdgeOptions Options = new() { Domain = "tunnel.test" };

    private readonly TunnelRegistry _tunnels = new(Options, TimeProvider.System);

    [Fact]
    public void Unknown_host_has_no_route()
    {
        RequestRoute route = new RequestRouter(_tunnels, remote: null).Find("nobody.tunnel.test", relayed: false);

        Assert.False(route.IsHere);
        Assert.False(route.IsOnOtherNode);
    }

    [Fact]
    public void Http_tunnel_here_takes_the_request_with_its_pool()
    {
        Tunnel tunnel = Add("web.tunnel.test", TunnelProtocols.Http);

        RequestRoute route = new RequestRouter(_tunnels, remote: null).Find("web.tunnel.test", relayed: false);

        Assert.True(route.IsHere);
        Assert.Same(tunnel, route.Tunnel);
        Assert.Same(_tunnels.FindPool("web.tunnel.test"), route.Pool);
        Assert.False(route.IsOnOtherNode);
    }

    [Fact]
    public void Tls_tunnel_name_is_not_served_as_http()
    {
        Add("secure.tunnel.test", TunnelProtocols.Tls);

        RequestRoute route = new RequestRouter(_tunnels, remote: null).Find("secure.tunnel.test", relayed: false);

        Assert.False(route.IsHere);
        Assert.False(route.IsOnOtherNode);
    }

    [Fact]
    public void Request_relayed_from_another_node_is_served_by_the_tunnel_here()
    {
        Tunnel tunnel = Add("web.tunnel.test", TunnelProtocols.Http);

        RequestRoute route = new RequestRouter(_tunnels, remote: null).Find("web.tunnel.test", relayed: true);

        Assert.Same(tunnel, route.Tunnel);
    }

    [Fact]
    public void Pooled_members_here_take_requests_in_turn()
    {
        Tunnel first = Add("pool.tunnel.test", TunnelProtocols.Http, pooled: true);
        Tunnel second = Add("pool.tunnel.test", TunnelProtocols.Http, pooled: true);
        var router = new RequestRouter(_tunnels, remote: null);

        Tunnel?[] picked = [router.Find("pool.tunnel.test", false).Tunnel, router.Find("pool.tunnel.test", false).Tunnel];

        Assert.Contains(first, picked);
        Assert.Contains(second, picked);
    }

    private Tunnel Add(string hostname, string proto, bool pooled = false)
    {
        var session = new AgentSession("ses_" + Guid.NewGuid().ToString("N"), new AgentCredential([1, 2, 3], null), new AgentInfo { Name = "test" }, "127.0.0.1:1", TimeProvider.System);
        var bind = new BindMessage { RequestId = "r1", Proto = proto, TunnelName = "t", Pooling = pooled };
        var tunnel = new Tunnel("tun_" + Guid.NewGuid().ToString("N"), hostname, session, bind, ValidatedEndpointOptions.None, Options);
        Assert.True(_tunnels.TryAdd(tunnel));
        return tunnel;
    }
}
