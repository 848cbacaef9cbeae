using Burrow.Edge.Routing;
using Burrow.Protocol.Pumping;

namespace Burrow.Edge.Tcp;

/// <summary>
/// Feeds a tunnel's traffic counters and idle watch from a <see cref="DuplexPump"/> whose end A is
/// the public client and end B the proxy stream: toward B is inbound (client to agent).
/// </summary>
internal sealed class TunnelActivity(TrafficCounters? counters, IdleWatch? watch) : IPumpActivity
{
    public void OnRead(bool towardB, int bytes) => watch?.Touch();

    public void OnWritten(bool towardB, int bytes)
    {
        watch?.Touch();
        if (towardB)
        {
            counters?.AddBytesIn(bytes);
        }
        else
        {
            counters?.AddBytesOut(bytes);
        }
    }
}
