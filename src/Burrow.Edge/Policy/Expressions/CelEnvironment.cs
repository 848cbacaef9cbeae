using System.Diagnostics.CodeAnalysis;
using Burrow.Edge.Policy.Expressions.Compilation;
using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Expressions.Syntax;

namespace Burrow.Edge.Policy.Expressions;

/// <summary>
/// What expressions may read and call, and what they may cost: set up once by the host, then used to
/// compile every expression of a policy at bind time. Compiled programs are immutable and thread-safe.
/// </summary>
/// <typeparam name="TContext">What the host passes to each evaluation (a request, a connection).</typeparam>
public sealed class CelEnvironment<TContext>
{
    private readonly Dictionary<string, Func<TContext, object?>> _variables = new(StringComparer.Ordinal);
    // Every proper prefix of a registered path: a variable named here has its fields registered one by one.
    private readonly HashSet<string> _parents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int Arity), CelFunction<TContext>> _functions = [];
    private readonly HashSet<string> _functionNames = new(StringComparer.Ordinal);

    /// <summary>The limits every expression compiled here is held to.</summary>
    public CelLimits Limits { get; init; } = CelLimits.Default;

    /// <summary>
    /// Registers a dotted path the host can read, e.g. <c>req.method</c> or <c>req.headers</c> (a map).
    /// Selecting <c>a.b.c</c> reads the longest registered prefix and applies CEL member access to the rest;
    /// a path with no registered prefix is a compile error, and so is one below a variable whose fields are registered
    /// themselves (<c>req.url</c> has <c>req.url.path</c>...): there the registered fields are all there is.
    /// </summary>
    public CelEnvironment<TContext> AddVariable(string path, Func<TContext, object?> read)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(read);
        if (!IsDottedName(path))
        {
            throw new ArgumentException($"'{path}' is not a dotted path of identifiers", nameof(path));
        }

        _variables[path] = read;
        for (int dot = path.LastIndexOf('.'); dot > 0; dot = path.LastIndexOf('.', dot - 1))
        {
            _parents.Add(path[..dot]);
        }

        return this;
    }

    /// <summary>Registers a global function <c>name(args)</c> of a fixed arity (checked at compile time); one body per arity.</summary>
    public CelEnvironment<TContext> AddFunction(string name, int arity, CelFunction<TContext> body)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(arity);
        if (!IsDottedName(name))
        {
            throw new ArgumentException($"'{name}' is not a function name", nameof(name));
        }

        if (CelBuiltins.IsGlobal(name))
        {
            throw new ArgumentException($"'{name}' is a built-in function", nameof(name));
        }

        _functions[(name, arity)] = body;
        _functionNames.Add(name);
        return this;
    }

    /// <summary>Compiles an expression; throws <see cref="CelCompileException"/> with the offending position.</summary>
    public CelProgram<TContext> Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return Compile(expression, expression);
    }

    /// <summary>Compiles text with <c>${expr}</c> interpolations; throws <see cref="CelCompileException"/>.</summary>
    public CelTemplate<TContext> CompileTemplate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CelTemplate<TContext>.Compile(this, text);
    }

    // Compiles `expression`; errors carry `reportAs` as their source so a template reports the whole text.
    internal CelProgram<TContext> Compile(string expression, string reportAs, int offset = 0)
    {
        try
        {
            Node tree = Parser.Parse(expression, Limits);
            var compiler = new Compiler<TContext>(this, expression);
            Compiled<TContext> compiled = compiler.Compile(tree);
            return new CelProgram<TContext>(expression, compiled, compiler.Slots, Limits);
        }
        catch (CelCompileException ex) when (offset != 0 || !ReferenceEquals(reportAs, expression))
        {
            throw new CelCompileException(ex.Reason, ex.Position + offset, reportAs);
        }
    }

    internal bool TryGetVariable(string path, [NotNullWhen(true)] out Func<TContext, object?>? read) => _variables.TryGetValue(path, out read);

    /// <summary>Whether fields of <paramref name="path"/> are registered as variables of their own.</summary>
    internal bool HasRegisteredFields(string path) => _parents.Contains(path);

    /// <summary>The registered fields directly below <paramref name="path"/>, for an error that lists them.</summary>
    internal IEnumerable<string> RegisteredFields(string path) =>
        _variables.Keys.Where(k => k.Length > path.Length + 1 && k.StartsWith(path + ".", StringComparison.Ordinal) && !k.AsSpan(path.Length + 1).Contains('.'))
            .Select(k => k[(path.Length + 1)..]).Order(StringComparer.Ordinal);

    internal bool TryGetFunction(string name, int arity, [NotNullWhen(true)] out CelFunction<TContext>? body) => _functions.TryGetValue((name, arity), out body);

    internal bool HasFunction(string name) => _functionNames.Contains(name);

    private static bool IsDottedName(string path)
    {
        if (path.Length == 0)
        {
            return false;
        }

        foreach (string part in path.Split('.'))
        {
            if (part.Length == 0 || !(char.IsAsciiLetter(part[0]) || part[0] == '_') || !part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
