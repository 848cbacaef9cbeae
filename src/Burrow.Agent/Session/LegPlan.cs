using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// Which nodes the agent opens its extra legs to, from the nodes an edge listed in <c>auth_result</c>: in the listed
/// order (the edge puts itself first, then the others in the directory's stable order), skipping the node the first
/// leg is on, as many as the agent wants legs minus the first.
/// </summary>
internal static class LegPlan
{
    /// <summary>How many legs in all: <paramref name="wanted"/>, else two when more than one node is offered, else one; never more than the nodes offered nor <see cref="AgentOptions.MaxLegs"/>.</summary>
    public static int LegCount(IReadOnlyList<EdgeNode>? offered, int? wanted)
    {
        int nodes = offered?.Count ?? 0;
        int count = wanted ?? (nodes > 1 ? 2 : 1);
        return Math.Clamp(Math.Min(count, Math.Max(nodes, 1)), 1, AgentOptions.MaxLegs);
    }

    /// <summary>
    /// The nodes for legs 1, 2...: <paramref name="offered"/> in order without the first leg's node (the one listed
    /// first, and any other listed at <paramref name="firstLegAddress"/>) and without repeats.
    /// </summary>
    public static IReadOnlyList<EdgeNode> ExtraLegs(IReadOnlyList<EdgeNode>? offered, string firstLegAddress, int? wanted)
    {
        if (offered is not { Count: > 1 })
        {
            return [];
        }

        int extra = LegCount(offered, wanted) - 1;
        string onNode = offered[0].Name;
        var chosen = new List<EdgeNode>(extra);
        var seen = new HashSet<string>(StringComparer.Ordinal) { onNode };
        foreach (EdgeNode node in offered)
        {
            if (chosen.Count == extra)
            {
                break;
            }

            if (string.Equals(node.Addr, firstLegAddress, StringComparison.OrdinalIgnoreCase) || node.Addr.Length == 0 || !seen.Add(node.Name))
            {
                continue;
            }

            chosen.Add(node);
        }

        return chosen;
    }
}
