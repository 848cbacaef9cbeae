using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>
/// Turns a syntax tree into a tree of delegates, once per policy bind. Names are resolved, arities
/// checked and constant subtrees (regexes and CIDR ranges too) evaluated here, so that evaluation
/// per request only does the work that depends on the request.
/// </summary>
internal sealed partial class Compiler<TContext>
{
    private readonly CelEnvironment<TContext> _environment;
    private readonly CelLimits _limits;
    private readonly string _source;

    // The macros' iteration variables in scope, innermost last; a variable's index is its frame slot.
    private readonly List<string> _scope = [];

    public Compiler(CelEnvironment<TContext> environment, string source)
    {
        _environment = environment;
        _limits = environment.Limits;
        _source = source;
    }

    /// <summary>How many frame slots the compiled expression needs; 0 means it needs no frame at all.</summary>
    public int Slots { get; private set; }

    public Compiled<TContext> Compile(Node node) => node switch
    {
        LiteralNode literal => Compiled<TContext>.Constant(literal.Value),
        IdentNode ident => Identifier(ident),
        SelectNode select => Select(select),
        IndexNode index => Index(index),
        UnaryNode unary => Unary(unary),
        BinaryNode binary => Binary(binary),
        ConditionalNode conditional => Conditional(conditional),
        ListNode list => List(list),
        MapNode map => Map(map),
        CallNode call => Call(call),
        _ => throw Error($"unsupported syntax {node.GetType().Name}", node.Position),
    };

    private CelCompileException Error(string message, int position) => new(message, position, _source);

    /// <summary>
    /// Evaluates <paramref name="eval"/> now when every input is constant. A constant subtree that fails
    /// (<c>1 / 0</c>) is left to fail at evaluation, where <c>&amp;&amp;</c> and <c>||</c> may still absorb the error.
    /// </summary>
    private static Compiled<TContext> Fold(CelEval<TContext> eval, params ReadOnlySpan<Compiled<TContext>> inputs)
    {
        foreach (Compiled<TContext> input in inputs)
        {
            if (!input.IsConstant)
            {
                return Compiled<TContext>.Dynamic(eval);
            }
        }

        try
        {
            return Compiled<TContext>.Constant(eval(default!, null));
        }
        catch (CelEvaluationException)
        {
            return Compiled<TContext>.Dynamic(eval);
        }
    }

    private Compiled<TContext> Identifier(IdentNode node)
    {
        int slot = _scope.LastIndexOf(node.Name);
        if (slot >= 0)
        {
            return Compiled<TContext>.Dynamic((_, frame) => frame!.Slots[slot]);
        }

        if (_environment.TryGetVariable(node.Name, out Func<TContext, object?>? read))
        {
            return Compiled<TContext>.Dynamic(Read(node.Name, read));
        }

        if (CelType.ByName.TryGetValue(node.Name, out CelType? type))
        {
            return Compiled<TContext>.Constant(type);
        }

        throw Error($"undeclared reference to '{node.Name}'", node.Position);
    }

    // Host reads are the one place host code runs besides host functions: a fault there fails this
    // evaluation like any other error, rather than escaping as an arbitrary exception type.
    private static CelEval<TContext> Read(string path, Func<TContext, object?> read) => (context, _) =>
    {
        try
        {
            return CelConversions.Normalize(read(context));
        }
        catch (Exception ex) when (ex is not CelEvaluationException)
        {
            throw new CelEvaluationException($"reading '{path}' failed: {ex.Message}", ex);
        }
    };

    /// <summary>The dotted name a chain of plain selections spells (<c>req.url.path</c>), or null.</summary>
    private static string? QualifiedName(Node node) => node switch
    {
        IdentNode ident => ident.Name,
        SelectNode select when QualifiedName(select.Operand) is { } prefix => prefix + "." + select.Field,
        _ => null,
    };

    private static Node Root(Node node) => node is SelectNode select ? Root(select.Operand) : node;

    /// <summary>
    /// Whether some prefix of the dotted name is something an expression can read. Below a variable whose fields are
    /// registered one by one (<c>req.url</c>), an unregistered field is a typo, caught here rather than at every request.
    /// </summary>
    private bool Resolves(string name, int position)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string root = dot < 0 ? name : name[..dot];
        if (_scope.Contains(root))
        {
            return true;
        }

        for (string candidate = name; ; candidate = candidate[..candidate.LastIndexOf('.')])
        {
            if (_environment.TryGetVariable(candidate, out _) && candidate.Length < name.Length && _environment.HasRegisteredFields(candidate))
            {
                throw Error($"undeclared reference to '{name}' ({candidate} has {string.Join(", ", _environment.RegisteredFields(candidate))})", position);
            }

            if (_environment.TryGetVariable(candidate, out _) || CelType.ByName.ContainsKey(candidate))
            {
                return true;
            }

            if (!candidate.Contains('.', StringComparison.Ordinal))
            {
                return false;
            }
        }
    }

    private Compiled<TContext> Select(SelectNode node)
    {
        if (QualifiedName(node) is { } name)
        {
            string root = Root(node) is IdentNode ident ? ident.Name : "";
            if (!_scope.Contains(root))
            {
                // The longest registered prefix wins: req.url.path reads "req.url.path" if the host
                // registered it, else "req.url" and then the field, and so on.
                if (_environment.TryGetVariable(name, out Func<TContext, object?>? read))
                {
                    return Compiled<TContext>.Dynamic(Read(name, read));
                }

                if (CelType.ByName.TryGetValue(name, out CelType? type))
                {
                    return Compiled<TContext>.Constant(type);
                }

                if (!Resolves(name, Root(node).Position))
                {
                    throw Error($"undeclared reference to '{name}'", Root(node).Position);
                }
            }
        }

        Compiled<TContext> operand = Compile(node.Operand);
        CelEval<TContext> eval = operand.Eval;
        string field = node.Field;
        return Fold((context, frame) => CelAccess.Field(eval(context, frame), field), operand);
    }

    private Compiled<TContext> Index(IndexNode node)
    {
        Compiled<TContext> operand = Compile(node.Operand);
        Compiled<TContext> index = Compile(node.Index);
        CelEval<TContext> target = operand.Eval;
        if (index is { IsConstant: true, Value: string key })
        {
            // The common shape, req.headers['x-api-key']: a map lookup with a key boxed once, here.
            return Fold(
                (context, frame) =>
                {
                    object? value = target(context, frame);
                    return value is ICelMap map
                        ? (map.TryGetValue(key, out object? found) ? found : throw CelErrors.NoSuchKey(key))
                        : CelAccess.Index(value, key);
                },
                operand);
        }

        CelEval<TContext> at = index.Eval;
        return Fold((context, frame) => CelAccess.Index(target(context, frame), at(context, frame)), operand, index);
    }

    private Compiled<TContext> Conditional(ConditionalNode node)
    {
        Compiled<TContext> condition = Compile(node.Condition);
        Compiled<TContext> then = Compile(node.Then);
        Compiled<TContext> otherwise = Compile(node.Otherwise);
        if (condition is { IsConstant: true, Value: bool known })
        {
            return known ? then : otherwise;
        }

        CelEval<TContext> test = condition.Eval, yes = then.Eval, no = otherwise.Eval;
        return Compiled<TContext>.Dynamic((context, frame) => test(context, frame) switch
        {
            true => yes(context, frame),
            false => no(context, frame),
            var other => throw CelErrors.NoOverload("?:", other),
        });
    }

    private Compiled<TContext> List(ListNode node)
    {
        var items = new Compiled<TContext>[node.Items.Length];
        bool constant = true;
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = Compile(node.Items[i]);
            constant &= items[i].IsConstant;
        }

        if (constant)
        {
            // Read-only: a constant list is shared by every evaluation, and a host must not be able to change it.
            return Compiled<TContext>.Constant(Array.AsReadOnly(Array.ConvertAll(items, item => item.Value)));
        }

        CelEval<TContext>[] evals = Array.ConvertAll(items, item => item.Eval);
        return Compiled<TContext>.Dynamic((context, frame) =>
        {
            var values = new object?[evals.Length];
            for (int i = 0; i < evals.Length; i++)
            {
                values[i] = evals[i](context, frame);
            }

            return values;
        });
    }

    private Compiled<TContext> Map(MapNode node)
    {
        var parts = new Compiled<TContext>[node.Entries.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Compile(node.Entries[i]);
        }

        CelEval<TContext>[] evals = Array.ConvertAll(parts, part => part.Eval);
        return Fold(
            (context, frame) =>
            {
                var map = new CelMap();
                for (int i = 0; i < evals.Length; i += 2)
                {
                    object? key = evals[i](context, frame);
                    if (key is null or double || !CelAccess.IsKeyKind(key))
                    {
                        throw new CelEvaluationException($"unsupported map key type: {CelValues.TypeName(key)}");
                    }

                    if (!map.TryAdd(key, evals[i + 1](context, frame)))
                    {
                        throw new CelEvaluationException($"duplicate map key {CelValues.Display(key, 64)}");
                    }
                }

                return map;
            },
            parts);
    }
}
