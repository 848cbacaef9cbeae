using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>
/// The comprehension macros <c>all exists exists_one map filter</c>. Each binds its variable to a frame
/// slot for the body, counts every iteration against the evaluation's budget, and iterates a map's keys.
/// <c>all</c> and <c>exists</c> absorb errors the way <c>&amp;&amp;</c> and <c>||</c> do.
/// </summary>
internal sealed partial class Compiler<TContext>
{
    private Compiled<TContext>? Macro(CallNode node)
    {
        bool known = (node.Function, node.Args.Length) is ("all" or "exists" or "exists_one" or "filter" or "map", 2) or ("map", 3);
        if (!known)
        {
            return null;
        }

        if (node.Args[0] is not IdentNode variable)
        {
            throw Error($"{node.Function}() needs a variable name as its first argument", node.Args[0].Position);
        }

        Compiled<TContext> target = Compile(node.Target!);
        _scope.Add(variable.Name);
        Slots = Math.Max(Slots, _scope.Count);
        int slot = _scope.Count - 1;
        CelEval<TContext>[] bodies = Array.ConvertAll(node.Args[1..], arg => Compile(arg).Eval);
        _scope.RemoveAt(_scope.Count - 1);

        CelEval<TContext> range = target.Eval;
        string name = node.Function;
        CelEval<TContext> eval = (name, bodies.Length) switch
        {
            ("all", _) => Quantifier(range, slot, bodies[0], name, stopOn: false),
            ("exists", _) => Quantifier(range, slot, bodies[0], name, stopOn: true),
            ("exists_one", _) => ExistsOne(range, slot, bodies[0]),
            ("filter", _) => Transform(range, slot, bodies[0], null, name),
            ("map", 1) => Transform(range, slot, null, bodies[0], name),
            _ => Transform(range, slot, bodies[0], bodies[1], name),
        };
        return Compiled<TContext>.Dynamic(eval);
    }

    private static IReadOnlyList<object?> Items(object? range, string macro) => range switch
    {
        IReadOnlyList<object?> list => list,
        ICelMap map => [.. map.Keys],
        _ => throw CelErrors.NoOverload(macro, range),
    };

    private static CelEval<TContext> Quantifier(CelEval<TContext> range, int slot, CelEval<TContext> predicate, string name, bool stopOn)
    {
        object decided = CelBox.Bool(stopOn), otherwise = CelBox.Bool(!stopOn);
        return (context, frame) =>
        {
            IReadOnlyList<object?> items = Items(range(context, frame), name);
            CelEvaluationException? error = null;
            for (int i = 0; i < items.Count; i++)
            {
                frame!.Tick();
                frame.Slots[slot] = items[i];
                object? result;
                try
                {
                    result = predicate(context, frame);
                }
                catch (CelEvaluationException ex)
                {
                    error ??= ex;
                    continue;
                }

                if (result is bool b)
                {
                    if (b == stopOn)
                    {
                        return decided;
                    }
                }
                else
                {
                    error ??= CelErrors.NoOverload(name, result);
                }
            }

            return error is null ? otherwise : throw error;
        };
    }

    private static CelEval<TContext> ExistsOne(CelEval<TContext> range, int slot, CelEval<TContext> predicate) => (context, frame) =>
    {
        IReadOnlyList<object?> items = Items(range(context, frame), "exists_one");
        int count = 0;
        for (int i = 0; i < items.Count; i++)
        {
            frame!.Tick();
            frame.Slots[slot] = items[i];
            count += predicate(context, frame) switch
            {
                true => 1,
                false => 0,
                var other => throw CelErrors.NoOverload("exists_one", other),
            };
        }

        return CelBox.Bool(count == 1);
    };

    private static CelEval<TContext> Transform(CelEval<TContext> range, int slot, CelEval<TContext>? filter, CelEval<TContext>? map, string name) => (context, frame) =>
    {
        IReadOnlyList<object?> items = Items(range(context, frame), name);
        var results = new List<object?>(filter is null ? items.Count : 4);
        for (int i = 0; i < items.Count; i++)
        {
            frame!.Tick();
            frame.Slots[slot] = items[i];
            if (filter is not null)
            {
                switch (filter(context, frame))
                {
                    case true:
                        break;
                    case false:
                        continue;
                    case var other:
                        throw CelErrors.NoOverload(name, other);
                }
            }

            results.Add(map is null ? items[i] : map(context, frame));
        }

        return results;
    };
}
