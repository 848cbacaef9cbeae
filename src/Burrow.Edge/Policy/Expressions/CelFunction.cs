namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// A host function callable from an expression as <c>name(args)</c>. The span is only valid during the
/// call (it points into the evaluator's buffer); throw <see cref="CelEvaluationException"/> to fail.
/// </summary>
public delegate object? CelFunction<TContext>(TContext context, ReadOnlySpan<object?> args);
