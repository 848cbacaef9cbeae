namespace Burrow.Edge.Limits;

/// <summary>
/// What one node counted for one bucket in one segment, told to the other nodes of the cluster. <paramref name="Scope"/>
/// (not sent) says which nodes need it: those holding a leg of that route key (a policy runs where the tunnel is), or
/// every node when <see langword="null"/>.
/// </summary>
internal readonly record struct SharedCount(string Key, WindowShape Shape, long Segment, int Count, string? Scope = null);
