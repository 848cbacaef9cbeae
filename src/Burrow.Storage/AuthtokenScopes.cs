namespace Burrow.Storage;

/// <summary>What an authtoken may do. The default allows everything, without limits.</summary>
public sealed record AuthtokenScopes
{
    /// <summary>Everything allowed, no quotas.</summary>
    public static AuthtokenScopes Unrestricted { get; } = new();

    /// <summary>
    /// Hostnames the token may bind, as patterns; empty allows any name the edge would give.
    /// A pattern is a full hostname (<c>demo.example.com</c>), a wildcard matching one or more
    /// labels in front of a suffix (<c>*.alice.example.com</c>), or a bare label (<c>demo</c>),
    /// which means that label directly under the edge's base domain. Random names are allowed only
    /// when this is empty. Reserved domains of the token's account are always allowed.
    /// </summary>
    public IReadOnlyList<string> Hostnames { get; init; } = [];

    /// <summary>Whether the token may open TCP tunnels. Default true.</summary>
    public bool AllowTcp { get; init; } = true;

    /// <summary>Whether the token may open TLS (SNI passthrough) tunnels. Default true.</summary>
    public bool AllowTls { get; init; } = true;

    /// <summary>Most tunnels bound at once over all sessions of the token; <see langword="null"/> for no limit.</summary>
    public int? MaxTunnels { get; init; }

    /// <summary>Most sessions at once (connected or within their resume grace); <see langword="null"/> for no limit.</summary>
    public int? MaxSessions { get; init; }

    /// <summary>Equal when every scope is, the hostname patterns compared in order.</summary>
    public bool Equals(AuthtokenScopes? other) =>
        other is not null
        && Hostnames.SequenceEqual(other.Hostnames, StringComparer.Ordinal)
        && AllowTcp == other.AllowTcp
        && AllowTls == other.AllowTls
        && MaxTunnels == other.MaxTunnels
        && MaxSessions == other.MaxSessions;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (string pattern in Hostnames)
        {
            hash.Add(pattern, StringComparer.Ordinal);
        }

        hash.Add(AllowTcp);
        hash.Add(AllowTls);
        hash.Add(MaxTunnels);
        hash.Add(MaxSessions);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"AuthtokenScopes {{ Hostnames = [{string.Join(", ", Hostnames)}], AllowTcp = {AllowTcp}, AllowTls = {AllowTls}, MaxTunnels = {MaxTunnels}, MaxSessions = {MaxSessions} }}";
}
