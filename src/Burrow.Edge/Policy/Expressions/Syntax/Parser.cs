namespace Burrow.Edge.Policy.Expressions.Syntax;

/// <summary>
/// Recursive descent over CEL's grammar, precedence lowest first:
/// <c>?:</c>, <c>||</c>, <c>&amp;&amp;</c>, relations (<c>&lt; &lt;= &gt; &gt;= == != in</c>), <c>+ -</c>, <c>* / %</c>,
/// unary <c>! -</c>, then member access, index and calls. Depth is bounded twice: the recursion itself
/// (parentheses, lists, ternaries) and the depth of every node built, so no input can overflow the stack
/// here or in the compiler and evaluator that walk the tree afterwards.
/// </summary>
internal sealed class Parser
{
    private readonly Lexer _lexer;
    private readonly string _source;
    private readonly int _maxDepth;
    private Token _token;
    private int _recursion;

    private Parser(string source, int maxDepth)
    {
        _source = source;
        _maxDepth = maxDepth;
        _lexer = new Lexer(source);
        _token = _lexer.Next();
    }

    /// <summary>Parses a whole expression, or throws <see cref="CelCompileException"/>.</summary>
    public static Node Parse(string source, CelLimits limits)
    {
        if (source.Length > limits.MaxExpressionLength)
        {
            throw new CelCompileException($"expression is longer than {limits.MaxExpressionLength} characters", limits.MaxExpressionLength, source);
        }

        var parser = new Parser(source, limits.MaxNestingDepth);
        Node node = parser.Expression();
        if (parser._token.Kind != TokenKind.End)
        {
            throw parser.Unexpected();
        }

        return node;
    }

    private CelCompileException Error(string message, int position) => new(message, position, _source);

    private CelCompileException Unexpected() => _token.Kind == TokenKind.End
        ? Error("unexpected end of expression", _token.Position)
        : Error($"unexpected {Describe(_token.Kind)}", _token.Position);

    private static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.Identifier => "identifier",
        TokenKind.Int or TokenKind.Uint or TokenKind.Double => "number",
        TokenKind.String or TokenKind.Bytes => "string literal",
        TokenKind.RightParen => "')'",
        TokenKind.RightBracket => "']'",
        TokenKind.RightBrace => "'}'",
        TokenKind.LeftBrace => "'{'",
        TokenKind.Colon => "':'",
        TokenKind.Comma => "','",
        _ => $"'{kind}'",
    };

    private T Checked<T>(T node)
        where T : Node
    {
        if (node.Depth > _maxDepth)
        {
            throw Error($"expression nests deeper than {_maxDepth} levels", node.Position);
        }

        return node;
    }

    private Token Advance()
    {
        Token current = _token;
        _token = _lexer.Next();
        return current;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (_token.Kind != kind)
        {
            throw _token.Kind == TokenKind.End
                ? Error($"expected {what} before the end of the expression", _token.Position)
                : Error($"expected {what}, found {Describe(_token.Kind)}", _token.Position);
        }

        return Advance();
    }

    private Node Expression()
    {
        if (++_recursion > _maxDepth)
        {
            throw Error($"expression nests deeper than {_maxDepth} levels", _token.Position);
        }

        Node condition = LogicalChain(TokenKind.OrOr);
        if (_token.Kind == TokenKind.Question)
        {
            int position = Advance().Position;
            Node then = LogicalChain(TokenKind.OrOr);
            Expect(TokenKind.Colon, "':'");
            Node otherwise = Expression();
            condition = Checked(new ConditionalNode(position, condition, then, otherwise));
        }

        _recursion--;
        return condition;
    }

    // `a || b || c ...` is built as a balanced tree (as cel-go does): the operators are commutative in
    // CEL, and a policy listing many alternatives must not hit the depth limit for being long.
    private Node LogicalChain(TokenKind op)
    {
        var operands = new List<Node> { op == TokenKind.OrOr ? LogicalChain(TokenKind.AndAnd) : Relation() };
        var positions = new List<int>();
        while (_token.Kind == op)
        {
            positions.Add(Advance().Position);
            operands.Add(op == TokenKind.OrOr ? LogicalChain(TokenKind.AndAnd) : Relation());
        }

        return Balance(op, operands, positions, 0, operands.Count - 1);
    }

    private Node Balance(TokenKind op, List<Node> operands, List<int> positions, int low, int high)
    {
        if (low == high)
        {
            return operands[low];
        }

        int middle = (low + high) / 2;
        Node left = Balance(op, operands, positions, low, middle);
        Node right = Balance(op, operands, positions, middle + 1, high);
        return Checked(new BinaryNode(positions[middle], op, left, right));
    }

    private Node Relation()
    {
        Node left = Addition();
        while (_token.Kind is TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual
            or TokenKind.EqualEqual or TokenKind.NotEqual or TokenKind.In)
        {
            Token op = Advance();
            left = Checked(new BinaryNode(op.Position, op.Kind, left, Addition()));
        }

        return left;
    }

    private Node Addition()
    {
        Node left = Multiplication();
        while (_token.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            Token op = Advance();
            left = Checked(new BinaryNode(op.Position, op.Kind, left, Multiplication()));
        }

        return left;
    }

    private Node Multiplication()
    {
        Node left = Unary();
        while (_token.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            Token op = Advance();
            left = Checked(new BinaryNode(op.Position, op.Kind, left, Unary()));
        }

        return left;
    }

    // Unary operators are collected in a loop and applied afterwards, so `!!!!...` costs no recursion.
    private Node Unary()
    {
        List<Token>? ops = null;
        while (_token.Kind is TokenKind.Bang or TokenKind.Minus)
        {
            (ops ??= []).Add(Advance());
            if (ops.Count > _maxDepth)
            {
                throw Error($"expression nests deeper than {_maxDepth} levels", _token.Position);
            }
        }

        Node operand;
        if (ops is { Count: > 0 } && ops[^1].Kind == TokenKind.Minus && _token.Kind is TokenKind.Int or TokenKind.Double)
        {
            // A negative literal is one token's worth of meaning: -9223372036854775808 fits, its magnitude does not.
            Token minus = ops[^1];
            ops.RemoveAt(ops.Count - 1);
            Token literal = Advance();
            operand = Member(NegativeLiteral(minus.Position, literal));
        }
        else
        {
            operand = Member(Primary());
        }

        for (int i = (ops?.Count ?? 0) - 1; i >= 0; i--)
        {
            operand = Checked(new UnaryNode(ops![i].Position, ops[i].Kind, operand));
        }

        return operand;
    }

    private LiteralNode NegativeLiteral(int position, Token literal)
    {
        if (literal.Kind == TokenKind.Double)
        {
            return new LiteralNode(position, -(double)literal.Value!);
        }

        ulong magnitude = (ulong)literal.Value!;
        if (magnitude > (ulong)long.MaxValue + 1)
        {
            throw Error("integer literal out of range", literal.Position);
        }

        return new LiteralNode(position, magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude);
    }

    private Node Member(Node operand)
    {
        while (true)
        {
            if (_token.Kind == TokenKind.Dot)
            {
                Advance();
                Token name = Expect(TokenKind.Identifier, "a field or method name after '.'");
                if (_token.Kind == TokenKind.LeftParen)
                {
                    Advance();
                    operand = Checked(new CallNode(name.Position, operand, (string)name.Value!, Arguments(TokenKind.RightParen, "')'")));
                }
                else
                {
                    operand = Checked(new SelectNode(name.Position, operand, (string)name.Value!));
                }
            }
            else if (_token.Kind == TokenKind.LeftBracket)
            {
                int position = Advance().Position;
                Node index = Expression();
                Expect(TokenKind.RightBracket, "']'");
                operand = Checked(new IndexNode(position, operand, index));
            }
            else
            {
                return operand;
            }
        }
    }

    private Node Primary()
    {
        Token token = _token;
        switch (token.Kind)
        {
            case TokenKind.Dot:
                // A leading dot only says "resolve from the root scope"; there are no nested scopes here.
                Advance();
                return _token.Kind == TokenKind.Identifier ? Primary() : throw Unexpected();
            case TokenKind.Identifier:
                Advance();
                if (_token.Kind == TokenKind.LeftParen)
                {
                    Advance();
                    return Checked(new CallNode(token.Position, null, (string)token.Value!, Arguments(TokenKind.RightParen, "')'")));
                }

                return new IdentNode(token.Position, (string)token.Value!);
            case TokenKind.LeftParen:
                Advance();
                Node inner = Expression();
                Expect(TokenKind.RightParen, "')'");
                return inner;
            case TokenKind.LeftBracket:
                Advance();
                return Checked(new ListNode(token.Position, Arguments(TokenKind.RightBracket, "']'")));
            case TokenKind.LeftBrace:
                Advance();
                return Checked(new MapNode(token.Position, MapEntries()));
            case TokenKind.Int:
                Advance();
                ulong magnitude = (ulong)token.Value!;
                return magnitude > long.MaxValue
                    ? throw Error("integer literal out of range", token.Position)
                    : new LiteralNode(token.Position, (long)magnitude);
            case TokenKind.Uint:
            case TokenKind.Double:
            case TokenKind.String:
            case TokenKind.Bytes:
                Advance();
                return new LiteralNode(token.Position, token.Value);
            case TokenKind.True:
                Advance();
                return new LiteralNode(token.Position, true);
            case TokenKind.False:
                Advance();
                return new LiteralNode(token.Position, false);
            case TokenKind.Null:
                Advance();
                return new LiteralNode(token.Position, null);
            default:
                throw Unexpected();
        }
    }

    private Node[] Arguments(TokenKind close, string closeText)
    {
        var items = new List<Node>();
        while (_token.Kind != close)
        {
            items.Add(Expression());
            if (_token.Kind != TokenKind.Comma)
            {
                break;
            }

            Advance();
        }

        Expect(close, closeText);
        return [.. items];
    }

    private Node[] MapEntries()
    {
        var entries = new List<Node>();
        while (_token.Kind != TokenKind.RightBrace)
        {
            entries.Add(Expression());
            Expect(TokenKind.Colon, "':' after a map key");
            entries.Add(Expression());
            if (_token.Kind != TokenKind.Comma)
            {
                break;
            }

            Advance();
        }

        Expect(TokenKind.RightBrace, "'}'");
        return [.. entries];
    }
}
