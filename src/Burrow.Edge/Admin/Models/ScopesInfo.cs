namespace Burrow.Edge.Admin.Models;

/// <summary>What an authtoken may do; every field may be left out (everything allowed, no limits).</summary>
/// <param name="Hostnames">Hostname patterns it may bind (<c>demo.example.com</c>, <c>*.alice.example.com</c>, a bare label); empty or absent: any name.</param>
/// <param name="AllowTcp">Whether it may open TCP tunnels; default true.</param>
/// <param name="AllowTls">Whether it may open TLS tunnels; default true.</param>
/// <param name="MaxTunnels">Most tunnels at once over all its sessions; absent for no limit.</param>
/// <param name="MaxSessions">Most sessions at once; absent for no limit.</param>
public sealed record ScopesInfo(
    IReadOnlyList<string>? Hostnames,
    bool? AllowTcp,
    bool? AllowTls,
    int? MaxTunnels,
    int? MaxSessions);
