namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// What one expression may cost. Policies come from users' documents, so every dimension a hostile one
/// could blow up (parse depth, regex work, loops, produced sizes) has a bound here.
/// </summary>
public sealed record CelLimits
{
    /// <summary>The defaults.</summary>
    public static CelLimits Default { get; } = new();

    /// <summary>Longest expression or template source, in chars. Default 4096.</summary>
    public int MaxExpressionLength { get; init; } = 4096;

    /// <summary>Deepest syntax tree (parentheses, unary chains, member chains all count). Default 64.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Longest regular expression pattern, in chars. Default 512.</summary>
    public int MaxRegexLength { get; init; } = 512;

    /// <summary>How long one regex match may run. Default 50 ms.</summary>
    public TimeSpan RegexMatchTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Macro iterations per evaluation, nested ones included. Default 10,000.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Largest string (chars), bytes or list (elements) that concatenation, join or replace may produce. Default 1 MiB.</summary>
    public int MaxProducedSize { get; init; } = 1 << 20;
}
