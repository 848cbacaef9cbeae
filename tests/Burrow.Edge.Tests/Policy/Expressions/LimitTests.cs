using System.Diagnostics;
using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class LimitTests
{
    private static readonly CelLimits Unbounded = new() { MaxExpressionLength = 1_000_000 };

    public static TheoryData<string> DeepInputs => new()
    {
        new string('(', 100_000) + "1" + new string(')', 100_000),
        new string('!', 100_000) + "true",
        new string('-', 100_000) + "1",
        "vars" + string.Concat(Enumerable.Repeat(".a", 50_000)),
        "vars" + string.Concat(Enumerable.Repeat("['a']", 20_000)),
        "1" + string.Concat(Enumerable.Repeat(" + 1", 25_000)),
        new string('[', 100_000) + new string(']', 100_000),
        string.Concat(Enumerable.Repeat("{1: ", 25_000)) + "1" + new string('}', 25_000),
        string.Concat(Enumerable.Repeat("true ? 1 : ", 10_000)) + "0",
        "'a'" + string.Concat(Enumerable.Repeat(".size()", 20_000)),
        string.Concat(Enumerable.Repeat("size(", 20_000)) + "1" + new string(')', 20_000),
    };

    [Theory]
    [MemberData(nameof(DeepInputs))]
    public void Deep_nesting_is_a_compile_error_not_a_stack_overflow(string expression)
    {
        var clock = Stopwatch.StartNew();

        CelCompileException error = CompileError(expression, Unbounded);

        Assert.Contains("nests deeper than 64", error.Reason, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }

    [Fact]
    public void Long_or_chains_are_balanced_and_stay_within_the_depth_limit()
    {
        string expression = string.Join(" || ", Enumerable.Range(0, 500).Select(i => $"req.method == 'M{i}'")) + " || req.method == 'POST'";

        Assert.True(Environment(Unbounded).Compile(expression).EvaluateBool(Post));
    }

    [Fact]
    public void Nesting_within_the_limit_compiles()
    {
        Assert.Equal(1L, Eval(new string('(', 60) + "1" + new string(')', 60)));
        Assert.Equal(true, Eval(new string('!', 60) + "true"));
    }

    [Fact]
    public void Expressions_longer_than_the_limit_are_refused()
    {
        string expression = "'" + new string('a', 5000) + "'";

        CelCompileException error = CompileError(expression);

        Assert.Contains("longer than 4096", error.Reason, StringComparison.Ordinal);
        Assert.Throws<CelCompileException>(() => Environment().CompileTemplate(new string('x', 5000)));
    }

    [Fact]
    public void Produced_sizes_are_bounded()
    {
        var limits = new CelLimits { MaxProducedSize = 100 };
        CelEnvironment<TestRequest> env = Environment(limits);
        string fifty = new('a', 50);

        Assert.Equal(100, ((string)env.Compile($"'{fifty}' + '{fifty}'").Evaluate(Post)!).Length);
        Assert.Throws<CelEvaluationException>(() => env.Compile($"'{fifty}' + '{fifty}' + 'a'").Evaluate(Post));
        Assert.Throws<CelEvaluationException>(() => env.Compile($"['{fifty}', '{fifty}'].join('-')").Evaluate(Post));
        Assert.Throws<CelEvaluationException>(() => env.Compile($"'{fifty}'.replace('a', 'aaa')").Evaluate(Post));
        Assert.Throws<CelEvaluationException>(() => env.Compile("[" + string.Join(",", Enumerable.Range(0, 60)) + "] + [" + string.Join(",", Enumerable.Range(0, 60)) + "]").Evaluate(Post));
    }

    [Fact]
    public void Doubling_strings_in_a_macro_stops_at_the_size_limit()
    {
        CelProgram<TestRequest> program = Environment().Compile("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25].map(x, req.url.path.replace('/', req.url.path + req.url.path + req.url.path + req.url.path + req.url.path))");

        // Each replace grows the path about 5x per slash, but nothing feeds back: this one fits.
        Assert.NotNull(program.Evaluate(Post));
        CelProgram<TestRequest> explosive = Environment().Compile("'ab'.replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx').replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx').replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx').replace('', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')");
        Assert.Throws<CelEvaluationException>(() => explosive.Evaluate(Post));
    }

    [Fact]
    public void Regex_matching_stops_at_the_timeout()
    {
        // A 1 ms budget against a large input: the match must give up with an evaluation error, not run on.
        var limits = new CelLimits { RegexMatchTimeout = TimeSpan.FromMilliseconds(1), MaxProducedSize = 1 << 24 };
        var request = Post with { Path = new string('a', 8_000_000) };
        CelProgram<TestRequest> program = Environment(limits).Compile("req.url.path.matches('(a|aa)*b')");
        var clock = Stopwatch.StartNew();

        Assert.Throws<CelEvaluationException>(() => program.Evaluate(request));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }
}
