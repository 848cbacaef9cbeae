namespace Burrow.Edge.Policy.Expressions;

/// <summary>An expression or template that cannot be compiled: the policy that holds it is refused at bind time.</summary>
public sealed class CelCompileException : Exception
{
    /// <summary>Creates the error for <paramref name="expression"/> at char offset <paramref name="position"/>.</summary>
    public CelCompileException(string message, int position, string expression)
        : base($"{message} (at {position})")
    {
        Reason = message;
        Position = position;
        Expression = expression;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The char offset in <see cref="Expression"/> the error points at.</summary>
    public int Position { get; }

    /// <summary>The source text that was compiled.</summary>
    public string Expression { get; }

    /// <summary>The reason, the source line and a caret under the position, for a message to the user.</summary>
    public string Describe()
    {
        int start = Expression.LastIndexOf('\n', Math.Max(0, Math.Min(Position, Expression.Length) - 1)) + 1;
        if (Position == 0)
        {
            start = 0;
        }

        int end = Expression.IndexOf('\n', start);
        string line = end < 0 ? Expression[start..] : Expression[start..end];
        return $"{Reason}\n | {line}\n | {new string(' ', Math.Max(0, Position - start))}^";
    }
}
