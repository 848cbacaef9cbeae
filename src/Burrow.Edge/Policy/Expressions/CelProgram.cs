using Burrow.Edge.Policy.Expressions.Compilation;
using Burrow.Edge.Policy.Expressions.Runtime;

namespace Burrow.Edge.Policy.Expressions;

/// <summary>A compiled expression: immutable, safe to evaluate from many requests at once.</summary>
public sealed class CelProgram<TContext>
{
    private readonly CelEval<TContext> _eval;
    private readonly int _slots;
    private readonly CelLimits _limits;

    internal CelProgram(string source, Compiled<TContext> compiled, int slots, CelLimits limits)
    {
        Source = source;
        _eval = compiled.Eval;
        IsConstant = compiled.IsConstant;
        _slots = slots;
        _limits = limits;
    }

    /// <summary>The expression's source text.</summary>
    public string Source { get; }

    /// <summary>Whether the value was computed at compile time (the expression reads nothing from the context).</summary>
    public bool IsConstant { get; }

    /// <summary>Evaluates the expression; throws <see cref="CelEvaluationException"/> when it fails on this context.</summary>
    public object? Evaluate(TContext context) =>
        _eval(context, _slots == 0 ? null : new CelFrame(_slots, _limits.MaxIterations));

    /// <summary>Evaluates a condition; a result that is not a bool is a <see cref="CelEvaluationException"/>.</summary>
    public bool EvaluateBool(TContext context) => Evaluate(context) switch
    {
        bool b => b,
        var other => throw new CelEvaluationException($"expression returned {CelValues.TypeName(other)}, not bool"),
    };

    /// <inheritdoc />
    public override string ToString() => Source;
}
