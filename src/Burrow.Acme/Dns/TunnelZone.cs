using System.Net;

namespace Burrow.Acme.Dns;

/// <summary>
/// The zone the edge answers for as its authoritative server: the tunnel domain (for example
/// <c>tunnels.example.com</c>), whose every name points at the edge's public addresses.
/// </summary>
internal sealed record TunnelZone
{
    /// <summary>The zone apex, without trailing dot.</summary>
    public required string Name { get; init; }

    /// <summary>The edge's public addresses: A for the IPv4 ones, AAAA for the IPv6 ones, for the apex and every name below it.</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>The zone's name servers (NS, and the SOA's MNAME); default <c>ns1.ZONE</c>, which resolves to <see cref="Addresses"/> like every name of the zone.</summary>
    public IReadOnlyList<string>? NameServers { get; init; }

    /// <summary>The TTL of A/AAAA/NS/SOA answers (TXT answers use <see cref="ChallengeTtl"/>). Default 300 s.</summary>
    public int Ttl { get; init; } = 300;

    /// <summary>The TTL of <c>_acme-challenge</c> TXT answers and of negative answers: short, because they change within a minute. Default 10 s.</summary>
    public int ChallengeTtl { get; init; } = 10;

    public IReadOnlyList<string> EffectiveNameServers => NameServers is { Count: > 0 } ns ? ns : ["ns1." + Name];
}
