using System.Net;

namespace Burrow.Agent.Inspection;

/// <summary>The Kestrel endpoint proxy streams are fed into, so Kestrel parses tunnelled HTTP like any socket's.</summary>
internal sealed class TunnelEndPoint : EndPoint
{
    public override string ToString() => "burrow-tunnel";
}
