using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>Unary and binary operators, with the shapes policies use most compiled to specialised delegates.</summary>
internal sealed partial class Compiler<TContext>
{
    private Compiled<TContext> Unary(UnaryNode node)
    {
        Compiled<TContext> operand = Compile(node.Operand);
        CelEval<TContext> eval = operand.Eval;
        return node.Op == TokenKind.Bang
            ? Fold((context, frame) => eval(context, frame) switch { bool b => CelBox.Bool(!b), var other => throw CelErrors.NoOverload("!", other) }, operand)
            : Fold((context, frame) => CelArithmetic.Negate(eval(context, frame)), operand);
    }

    private Compiled<TContext> Binary(BinaryNode node)
    {
        Compiled<TContext> left = Compile(node.Left);
        Compiled<TContext> right = Compile(node.Right);
        CelEval<TContext> l = left.Eval, r = right.Eval;
        int maxSize = _limits.MaxProducedSize;
        switch (node.Op)
        {
            case TokenKind.AndAnd:
                return Logical(left, right, stopOn: false, "&&");
            case TokenKind.OrOr:
                return Logical(left, right, stopOn: true, "||");
            case TokenKind.EqualEqual:
                return Equality(left, right, negate: false);
            case TokenKind.NotEqual:
                return Equality(left, right, negate: true);
            case TokenKind.Less:
                return Fold((c, f) => CelBox.Bool(CelValues.Compare(l(c, f), r(c, f), "<") < 0), left, right);
            case TokenKind.LessEqual:
                return Fold((c, f) => CelBox.Bool(CelValues.Compare(l(c, f), r(c, f), "<=") <= 0), left, right);
            case TokenKind.Greater:
                return Fold((c, f) => CelBox.Bool(CelValues.Compare(l(c, f), r(c, f), ">") > 0), left, right);
            case TokenKind.GreaterEqual:
                return Fold((c, f) => CelBox.Bool(CelValues.Compare(l(c, f), r(c, f), ">=") >= 0), left, right);
            case TokenKind.In:
                return In(left, right);
            case TokenKind.Plus:
                return Fold((c, f) => CelArithmetic.Add(l(c, f), r(c, f), maxSize), left, right);
            case TokenKind.Minus:
                return Fold((c, f) => CelArithmetic.Subtract(l(c, f), r(c, f)), left, right);
            case TokenKind.Star:
                return Fold((c, f) => CelArithmetic.Multiply(l(c, f), r(c, f)), left, right);
            case TokenKind.Slash:
                return Fold((c, f) => CelArithmetic.Divide(l(c, f), r(c, f)), left, right);
            case TokenKind.Percent:
                return Fold((c, f) => CelArithmetic.Modulo(l(c, f), r(c, f)), left, right);
            default:
                throw Error($"unsupported operator {node.Op}", node.Position);
        }
    }

    /// <summary>
    /// <c>&amp;&amp;</c> (<paramref name="stopOn"/> false) and <c>||</c> (true), commutative over errors as CEL
    /// defines them: <c>false &amp;&amp; error</c> and <c>error &amp;&amp; false</c> are both false; an error stands
    /// only when the other side cannot decide the result.
    /// </summary>
    private static Compiled<TContext> Logical(Compiled<TContext> left, Compiled<TContext> right, bool stopOn, string op)
    {
        object decided = CelBox.Bool(stopOn);
        if ((left.IsConstant && left.Value is bool lv && lv == stopOn) || (right.IsConstant && right.Value is bool rv && rv == stopOn))
        {
            return Compiled<TContext>.Constant(decided);
        }

        CelEval<TContext> l = left.Eval, r = right.Eval;
        return Fold(
            (context, frame) =>
            {
                CelEvaluationException? error = null;
                object? a;
                try
                {
                    a = l(context, frame);
                }
                catch (CelEvaluationException ex)
                {
                    error = ex;
                    a = null;
                }

                if (a is bool x)
                {
                    if (x == stopOn)
                    {
                        return decided;
                    }
                }
                else
                {
                    error ??= CelErrors.NoOverload(op, a);
                }

                object? b;
                try
                {
                    b = r(context, frame);
                }
                catch (CelEvaluationException) when (error is not null)
                {
                    throw error;
                }

                if (b is bool y)
                {
                    return y == stopOn ? decided : error is null ? CelBox.Bool(!stopOn) : throw error;
                }

                throw error ?? CelErrors.NoOverload(op, b);
            },
            left,
            right);
    }

    private static Compiled<TContext> Equality(Compiled<TContext> left, Compiled<TContext> right, bool negate)
    {
        object equal = CelBox.Bool(!negate), different = CelBox.Bool(negate);
        if (left.IsConstant && left.Value is string && !right.IsConstant)
        {
            (left, right) = (right, left);
        }

        CelEval<TContext> l = left.Eval;
        if (right is { IsConstant: true, Value: string text } && !left.IsConstant)
        {
            // req.method == 'POST': one ordinal compare, no boxing, no dispatch on the other side's type.
            return Compiled<TContext>.Dynamic((c, f) => l(c, f) is string s && string.Equals(s, text, StringComparison.Ordinal) ? equal : different);
        }

        CelEval<TContext> r = right.Eval;
        return Fold((c, f) => CelValues.Equal(l(c, f), r(c, f)) ? equal : different, left, right);
    }

    private static Compiled<TContext> In(Compiled<TContext> element, Compiled<TContext> container)
    {
        CelEval<TContext> e = element.Eval;
        if (container is { IsConstant: true, Value: IReadOnlyList<object?> list } && !element.IsConstant && list.Count > 0 && list.All(item => item is string))
        {
            // `x in ['a', 'b', ...]`: a set of the strings, built once.
            var set = new HashSet<string>(list.Cast<string>(), StringComparer.Ordinal);
            return Compiled<TContext>.Dynamic((c, f) => CelBox.Bool(e(c, f) is string s && set.Contains(s)));
        }

        CelEval<TContext> k = container.Eval;
        return Fold((c, f) => CelBox.Bool(CelAccess.In(e(c, f), k(c, f))), element, container);
    }
}
