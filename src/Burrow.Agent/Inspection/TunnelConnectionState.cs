using Burrow.Agent.Session;

namespace Burrow.Agent.Inspection;

/// <summary>What the inspector needs to know about a proxy stream handed to Kestrel: its tunnel, client and pre-dialed upstream.</summary>
internal sealed record TunnelConnectionState(ActiveTunnel Tunnel, string ClientAddr, PreDialedUpstream PreDialed);
