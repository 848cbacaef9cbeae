namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>A compiled node, and its value when it is known at compile time (so parents can fold).</summary>
internal readonly record struct Compiled<TContext>(CelEval<TContext> Eval, bool IsConstant, object? Value)
{
    public static Compiled<TContext> Constant(object? value) => new((_, _) => value, true, value);

    public static Compiled<TContext> Dynamic(CelEval<TContext> eval) => new(eval, false, null);
}
