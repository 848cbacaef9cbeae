using System.Text;
using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// Text with <c>${expr}</c> interpolations, as ngrok's action configs use them. Values render as CEL's
/// <c>string()</c> would (lists as <c>[a, b]</c>); what an expression renders is never scanned again, so a
/// value containing <c>${x}</c> stays literal.
/// </summary>
public sealed class CelTemplate<TContext>
{
    // Each part is a literal string or a program, in order.
    private readonly object[] _parts;
    private readonly string? _constant;
    private readonly int _maxSize;

    private CelTemplate(string source, object[] parts, int maxSize)
    {
        Source = source;
        _parts = parts;
        _maxSize = maxSize;
        if (parts.All(part => part is string))
        {
            _constant = string.Concat(parts.Cast<string>());
        }
    }

    /// <summary>The template's source text.</summary>
    public string Source { get; }

    /// <summary>Whether the rendering is the same for every context (no interpolation, or only constant ones).</summary>
    public bool IsConstant => _constant is not null;

    /// <summary>Renders the template; throws <see cref="CelEvaluationException"/> when an interpolation fails.</summary>
    public string Render(TContext context)
    {
        if (_constant is not null)
        {
            return _constant;
        }

        if (_parts.Length == 1)
        {
            return CelValues.Display(((CelProgram<TContext>)_parts[0]).Evaluate(context), _maxSize);
        }

        var text = new StringBuilder();
        foreach (object part in _parts)
        {
            text.Append(part as string ?? CelValues.Display(((CelProgram<TContext>)part).Evaluate(context), _maxSize));
            if (text.Length > _maxSize)
            {
                throw CelErrors.TooLarge(_maxSize);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Source;

    internal static CelTemplate<TContext> Compile(CelEnvironment<TContext> environment, string text)
    {
        CelLimits limits = environment.Limits;
        if (text.Length > limits.MaxExpressionLength)
        {
            throw new CelCompileException($"template is longer than {limits.MaxExpressionLength} characters", limits.MaxExpressionLength, text);
        }

        var parts = new List<object>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            int open = text.IndexOf("${", i, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, i, text.Length - i);
                break;
            }

            literal.Append(text, i, open - i);
            int close = TemplateScanner.FindClose(text, open + 2);
            if (close < 0)
            {
                throw new CelCompileException("'${' without its closing '}'", open, text);
            }

            string expression = text[(open + 2)..close];
            if (string.IsNullOrWhiteSpace(expression))
            {
                throw new CelCompileException("empty '${}' interpolation", open, text);
            }

            CelProgram<TContext> program = environment.Compile(expression, text, open + 2);
            if (program.IsConstant)
            {
                // Rendered now: a constant interpolation costs nothing per request.
                literal.Append(CelValues.Display(program.Evaluate(default!), limits.MaxProducedSize));
            }
            else
            {
                if (literal.Length > 0)
                {
                    parts.Add(literal.ToString());
                    literal.Clear();
                }

                parts.Add(program);
            }

            i = close + 1;
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(literal.ToString());
        }

        return new CelTemplate<TContext>(text, [.. parts], limits.MaxProducedSize);
    }
}
