namespace Burrow.Edge.Routing.Pooling;

/// <summary>What <see cref="PoolBalancer"/> needs to know of a member: whether it may take traffic, and how busy it is.</summary>
internal interface IPoolMember
{
    /// <summary>Requests or connections in flight on this member.</summary>
    int Outstanding { get; }

    /// <summary>False while its agent is away (a session held for resume) or while it is out after a failure.</summary>
    bool IsAvailable(DateTimeOffset now);
}
