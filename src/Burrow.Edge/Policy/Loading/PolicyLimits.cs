namespace Burrow.Edge.Policy.Loading;

/// <summary>
/// Bounds on a policy document, so a hostile one costs the edge a refusal and nothing more. Real policies sit far
/// below each of them.
/// </summary>
internal sealed record PolicyLimits
{
    /// <summary>Characters in the document (the wire caps it too).</summary>
    public int MaxDocumentLength { get; init; } = Burrow.Protocol.Messages.EndpointOptions.MaxTrafficPolicyLength;

    /// <summary>Nesting of YAML/JSON collections; a policy needs about 6.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Rules in one phase.</summary>
    public int MaxRulesPerPhase { get; init; } = 256;

    /// <summary>Actions in one rule.</summary>
    public int MaxActionsPerRule { get; init; } = 32;

    /// <summary>Expressions in one rule.</summary>
    public int MaxExpressionsPerRule { get; init; } = 32;
}
