namespace Burrow.Edge.Policy.Expressions.Syntax;

// The syntax tree on one screen (as yamux's const.go shows its protocol): these shapes are tiny and
// only make sense together, so they share a file. Every node knows its depth, which is how the parser
// refuses deep trees built by loops (member chains, operator chains) and not only by recursion.

/// <summary>A syntax tree node: where it starts in the source and how deep the tree under it is.</summary>
internal abstract class Node(int position, int depth)
{
    public int Position { get; } = position;

    public int Depth { get; } = depth;

    protected static int Deepest(params ReadOnlySpan<Node> children)
    {
        int max = 0;
        foreach (Node child in children)
        {
            max = Math.Max(max, child.Depth);
        }

        return max + 1;
    }
}

/// <summary>A literal: null, bool, long, ulong, double, string or byte[].</summary>
internal sealed class LiteralNode(int position, object? value) : Node(position, 1)
{
    public object? Value { get; } = value;
}

/// <summary>A bare name: a variable, a macro's iteration variable, or a type name.</summary>
internal sealed class IdentNode(int position, string name) : Node(position, 1)
{
    public string Name { get; } = name;
}

/// <summary><c>operand.field</c>.</summary>
internal sealed class SelectNode(int position, Node operand, string field) : Node(position, Deepest(operand))
{
    public Node Operand { get; } = operand;

    public string Field { get; } = field;
}

/// <summary><c>operand[index]</c>.</summary>
internal sealed class IndexNode(int position, Node operand, Node index) : Node(position, Deepest(operand, index))
{
    public Node Operand { get; } = operand;

    public Node Index { get; } = index;
}

/// <summary><c>function(args)</c>, or <c>target.function(args)</c> when <see cref="Target"/> is set.</summary>
internal sealed class CallNode(int position, Node? target, string function, Node[] args)
    : Node(position, Deepest(target is null ? args : [target, .. args]))
{
    public Node? Target { get; } = target;

    public string Function { get; } = function;

    public Node[] Args { get; } = args;
}

/// <summary><c>!operand</c> or <c>-operand</c>.</summary>
internal sealed class UnaryNode(int position, TokenKind op, Node operand) : Node(position, Deepest(operand))
{
    public TokenKind Op { get; } = op;

    public Node Operand { get; } = operand;
}

/// <summary>Any infix operator, <c>&amp;&amp;</c>, <c>||</c> and <c>in</c> included; the position is the operator's.</summary>
internal sealed class BinaryNode(int position, TokenKind op, Node left, Node right) : Node(position, Deepest(left, right))
{
    public TokenKind Op { get; } = op;

    public Node Left { get; } = left;

    public Node Right { get; } = right;
}

/// <summary><c>condition ? then : otherwise</c>.</summary>
internal sealed class ConditionalNode(int position, Node condition, Node then, Node otherwise)
    : Node(position, Deepest(condition, then, otherwise))
{
    public Node Condition { get; } = condition;

    public Node Then { get; } = then;

    public Node Otherwise { get; } = otherwise;
}

/// <summary><c>[a, b]</c>.</summary>
internal sealed class ListNode(int position, Node[] items) : Node(position, Deepest(items))
{
    public Node[] Items { get; } = items;
}

/// <summary><c>{k: v}</c>; keys and values alternate in <see cref="Entries"/>.</summary>
internal sealed class MapNode(int position, Node[] entries) : Node(position, Deepest(entries))
{
    public Node[] Entries { get; } = entries;
}
