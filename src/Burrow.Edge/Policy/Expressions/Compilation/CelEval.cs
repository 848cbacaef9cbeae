using Burrow.Edge.Policy.Expressions.Runtime;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>A compiled node: evaluates itself against the host's context and the evaluation's frame.</summary>
internal delegate object? CelEval<TContext>(TContext context, CelFrame? frame);
