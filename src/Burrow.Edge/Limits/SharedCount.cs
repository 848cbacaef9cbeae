namespace Burrow.Edge.Limits;

/// <summary>What one node counted for one bucket in one segment, told to the other nodes of the cluster.</summary>
internal readonly record struct SharedCount(string Key, WindowShape Shape, long Segment, int Count);
