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
}
