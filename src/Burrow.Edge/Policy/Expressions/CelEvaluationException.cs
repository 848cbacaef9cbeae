namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// An expression that failed on this request: no such key, a type mismatch, overflow, division by zero,
/// a budget exceeded. CEL's <c>&amp;&amp;</c>, <c>||</c> and macros absorb it where the result does not depend on it.
/// </summary>
public sealed class CelEvaluationException : Exception
{
    /// <summary>Creates the error.</summary>
    public CelEvaluationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the host exception that caused it.</summary>
    public CelEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
