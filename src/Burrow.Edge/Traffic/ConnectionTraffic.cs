using System.Net;
using Burrow.Edge.Routing;

namespace Burrow.Edge.Traffic;

/// <summary>
/// One tcp or tls tunnel connection as its tunnel's traffic log sees it: its own byte counters (which add to the
/// tunnel's) and an entry when it ends.
/// </summary>
internal sealed class ConnectionTraffic
{
    private readonly Tunnel _tunnel;
    private readonly string _kind;
    private readonly string _client;
    private readonly long _started;

    public ConnectionTraffic(Tunnel tunnel, string kind, string remote)
    {
        _tunnel = tunnel;
        _kind = kind;
        _client = IPEndPoint.TryParse(remote, out IPEndPoint? endPoint)
            ? (endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address).ToString()
            : remote;
        _started = tunnel.Session.Time.GetTimestamp();
        Counters = new TrafficCounters(tunnel.Counters);
    }

    /// <summary>This connection's bytes; everything counted here counts for the tunnel too.</summary>
    public TrafficCounters Counters { get; }

    public void Ended() => _tunnel.Traffic.Add(new TrafficEntry(
        _tunnel.Session.Time.GetUtcNow(),
        _kind,
        "",
        0,
        _tunnel.Session.Time.GetElapsedTime(_started).TotalMilliseconds,
        _client,
        Counters.BytesIn,
        Counters.BytesOut,
        null));
}
