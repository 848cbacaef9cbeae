using System.Net;
using System.Text.RegularExpressions;
using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>Function and method calls: macros, the hand-compiled built-ins, the table built-ins, then host functions.</summary>
internal sealed partial class Compiler<TContext>
{
    private Compiled<TContext> Call(CallNode node)
    {
        if (node.Target is null)
        {
            return GlobalCall(node.Function, node.Args, node.Position);
        }

        if (Macro(node) is { } macro)
        {
            return macro;
        }

        // base64.encode(x) parses as a method call on `base64`; it is a global function when `base64`
        // names nothing an expression can read.
        if (QualifiedName(node.Target) is { } qualifier && !Resolves(qualifier, Root(node.Target).Position))
        {
            string name = qualifier + "." + node.Function;
            if (CelBuiltins.IsGlobal(name) || _environment.HasFunction(name))
            {
                return GlobalCall(name, node.Args, node.Position);
            }

            throw Error($"undeclared reference to '{qualifier}'", Root(node.Target).Position);
        }

        Compiled<TContext>[] args = CompileAll([node.Target, .. node.Args]);
        if (node.Function == "matches" && args.Length == 2)
        {
            return Matches(args[0], args[1], node.Args[0]);
        }

        CelBuiltin builtin = CelBuiltins.Find(node.Function, method: true, args.Length)
            ?? throw Error($"no such method '{node.Function}' with {node.Args.Length} argument(s)", node.Position);
        return Builtin(builtin, args);
    }

    private Compiled<TContext> GlobalCall(string function, Node[] argNodes, int position)
    {
        if (function == "has")
        {
            return argNodes is [SelectNode select] ? Has(select) : throw Error("has() takes one field selection, as in has(a.b)", position);
        }

        if (_environment.TryGetFunction(function, argNodes.Length, out CelFunction<TContext>? host))
        {
            return HostCall(function, host, CompileAll(argNodes));
        }

        if (_environment.HasFunction(function))
        {
            throw Error($"function '{function}' does not take {argNodes.Length} argument(s)", position);
        }

        Compiled<TContext>[] args = CompileAll(argNodes);
        switch (function)
        {
            case "matches" when args.Length == 2:
                return Matches(args[0], args[1], argNodes[1]);
            case "inCidrRange" when args.Length == 2:
                return InCidrRange(args[0], args[1], argNodes[1]);
            case "inCidrRanges" when args.Length == 2:
                return InCidrRanges(args[0], args[1], argNodes[1]);
        }

        CelBuiltin builtin = CelBuiltins.Find(function, method: false, args.Length)
            ?? throw Error(
                CelBuiltins.IsGlobal(function) ? $"function '{function}' does not take {args.Length} argument(s)" : $"undeclared function '{function}'",
                position);
        return Builtin(builtin, args);
    }

    private Compiled<TContext>[] CompileAll(Node[] nodes)
    {
        var compiled = new Compiled<TContext>[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            compiled[i] = Compile(nodes[i]);
        }

        return compiled;
    }

    private Compiled<TContext> Builtin(CelBuiltin builtin, Compiled<TContext>[] args)
    {
        CelLimits limits = _limits;
        CelEval<TContext>[] evals = Array.ConvertAll(args, arg => arg.Eval);
        CelEval<TContext> eval = evals.Length switch
        {
            1 => Call1(builtin, evals[0], limits),
            2 => Call2(builtin, evals[0], evals[1], limits),
            _ => (context, frame) =>
            {
                ArgumentBuffer buffer = default;
                Span<object?> values = evals.Length <= ArgumentBuffer.Capacity ? buffer[..evals.Length] : new object?[evals.Length];
                for (int i = 0; i < evals.Length; i++)
                {
                    values[i] = evals[i](context, frame);
                }

                return builtin(values, limits);
            },
        };
        return Fold(eval, args);
    }

    private static CelEval<TContext> Call1(CelBuiltin builtin, CelEval<TContext> a, CelLimits limits) => (context, frame) =>
    {
        object? value = a(context, frame);
        return builtin(new ReadOnlySpan<object?>(in value), limits);
    };

    private static CelEval<TContext> Call2(CelBuiltin builtin, CelEval<TContext> a, CelEval<TContext> b, CelLimits limits) => (context, frame) =>
    {
        ArgumentBuffer buffer = default;
        buffer[0] = a(context, frame);
        buffer[1] = b(context, frame);
        return builtin(buffer[..2], limits);
    };

    private static Compiled<TContext> HostCall(string name, CelFunction<TContext> body, Compiled<TContext>[] args)
    {
        CelEval<TContext>[] evals = Array.ConvertAll(args, arg => arg.Eval);
        return Compiled<TContext>.Dynamic((context, frame) =>
        {
            ArgumentBuffer buffer = default;
            Span<object?> values = evals.Length <= ArgumentBuffer.Capacity ? buffer[..evals.Length] : new object?[evals.Length];
            for (int i = 0; i < evals.Length; i++)
            {
                values[i] = evals[i](context, frame);
            }

            try
            {
                return CelConversions.Normalize(body(context, values));
            }
            catch (Exception ex) when (ex is not CelEvaluationException)
            {
                throw new CelEvaluationException($"{name}() failed: {ex.Message}", ex);
            }
        });
    }

    private Compiled<TContext> Has(SelectNode select)
    {
        if (QualifiedName(select) is { } name && !_scope.Contains(Root(select) is IdentNode root ? root.Name : "")
            && _environment.TryGetVariable(name, out Func<TContext, object?>? read))
        {
            // has() on a path the host registered: present when the host has a value for it.
            CelEval<TContext> value = Read(name, read);
            return Compiled<TContext>.Dynamic((context, frame) => CelBox.Bool(value(context, frame) is not null));
        }

        Compiled<TContext> operand = Compile(select.Operand);
        CelEval<TContext> eval = operand.Eval;
        string field = select.Field;
        return Fold((context, frame) => CelBox.Bool(CelAccess.HasField(eval(context, frame), field)), operand);
    }

    private Compiled<TContext> Matches(Compiled<TContext> text, Compiled<TContext> pattern, Node patternNode)
    {
        CelEval<TContext> input = text.Eval;
        if (pattern is { IsConstant: true, Value: string constant })
        {
            // A constant pattern is compiled once, and a bad one refuses the policy at bind time.
            Regex regex = CelRegex.TryCompile(constant, _limits, out string? error) ?? throw Error(error!, patternNode.Position);
            return Fold(
                (context, frame) => input(context, frame) switch
                {
                    string s => CelBox.Bool(CelRegex.IsMatch(regex, s)),
                    var other => throw CelErrors.NoOverload("matches", other),
                },
                text);
        }

        var cache = new CelRegex(_limits);
        CelEval<TContext> patternEval = pattern.Eval;
        return Compiled<TContext>.Dynamic((context, frame) =>
        {
            object? s = input(context, frame), p = patternEval(context, frame);
            return s is string subject && p is string dynamicPattern
                ? CelBox.Bool(cache.IsMatch(subject, dynamicPattern))
                : throw CelErrors.NoOverload("matches", s, p);
        });
    }

    private Compiled<TContext> InCidrRange(Compiled<TContext> ip, Compiled<TContext> cidr, Node cidrNode)
    {
        CelEval<TContext> address = ip.Eval;
        if (cidr is { IsConstant: true, Value: string constant })
        {
            IPNetwork network = CelCidr.TryParse(constant, out IPNetwork parsed) ? parsed : throw Error($"'{constant}' is not a CIDR range", cidrNode.Position);
            return Fold((context, frame) => CelBox.Bool(CelCidr.Contains(network, Address(address(context, frame)))), ip);
        }

        CelEval<TContext> range = cidr.Eval;
        return Compiled<TContext>.Dynamic((context, frame) =>
        {
            IPAddress? parsed = Address(address(context, frame));
            object? text = range(context, frame);
            return text is string s
                ? CelBox.Bool(CelCidr.TryParse(s, out IPNetwork network) && CelCidr.Contains(network, parsed))
                : throw CelErrors.NoOverload("inCidrRange", text);
        });
    }

    private Compiled<TContext> InCidrRanges(Compiled<TContext> ip, Compiled<TContext> cidrs, Node cidrsNode)
    {
        CelEval<TContext> address = ip.Eval;
        if (cidrs is { IsConstant: true, Value: IReadOnlyList<object?> constant })
        {
            var networks = new IPNetwork[constant.Count];
            for (int i = 0; i < networks.Length; i++)
            {
                networks[i] = constant[i] is string s && CelCidr.TryParse(s, out IPNetwork parsed)
                    ? parsed
                    : throw Error($"element {i} of the list is not a CIDR range", cidrsNode.Position);
            }

            return Fold((context, frame) => CelBox.Bool(AnyContains(networks, Address(address(context, frame)))), ip);
        }

        CelEval<TContext> ranges = cidrs.Eval;
        return Compiled<TContext>.Dynamic((context, frame) =>
        {
            IPAddress? parsed = Address(address(context, frame));
            if (ranges(context, frame) is not IReadOnlyList<object?> list)
            {
                throw new CelEvaluationException("inCidrRanges: the second argument must be a list of strings");
            }

            foreach (object? item in list)
            {
                if (item is string s && CelCidr.TryParse(s, out IPNetwork network) && CelCidr.Contains(network, parsed))
                {
                    return CelBox.True;
                }
            }

            return CelBox.False;
        });
    }

    private static bool AnyContains(IPNetwork[] networks, IPAddress? address)
    {
        foreach (IPNetwork network in networks)
        {
            if (CelCidr.Contains(network, address))
            {
                return true;
            }
        }

        return false;
    }

    // ngrok's inCidrRange is false, not an error, for a string that is not an address; a non-string is a type error.
    private static IPAddress? Address(object? value) =>
        value is string s ? CelCidr.ParseAddress(s) : throw CelErrors.NoOverload("inCidrRange", value);
}
