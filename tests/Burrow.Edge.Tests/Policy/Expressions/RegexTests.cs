using System.Diagnostics;
using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class RegexTests
{
    [Theory]
    [InlineData("req.url.path.matches('^/api/[a-z]+$')", true)]
    [InlineData("req.url.path.matches('users')", true)]
    [InlineData("req.url.path.matches('^users')", false)]
    [InlineData("matches(req.method, 'P.ST')", true)]
    [InlineData("'ABC'.matches('(?i)abc')", true)]
    [InlineData("req.headers['user-agent'][0].matches(r'curl/\\d+')", true)]
    public void Matches_searches_like_re2(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("req.method.matches('(')", 19)]
    [InlineData("'a'.matches('(a)\\\\1')", 12)]
    [InlineData("'a'.matches('(?=a)')", 12)]
    public void A_bad_constant_pattern_is_a_compile_error_at_the_pattern(string expression, int position)
    {
        CelCompileException error = CompileError(expression);

        Assert.Equal(position, error.Position);
    }

    [Fact]
    public void A_pattern_longer_than_the_limit_is_refused()
    {
        var limits = new CelLimits { MaxRegexLength = 10 };
        CelCompileException error = CompileError("req.method.matches('aaaaaaaaaaa')", limits);
        Assert.Contains("longer than 10", error.Reason, StringComparison.Ordinal);

        CelProgram<TestRequest> dynamicPattern = Environment(limits).Compile("'x'.matches(req.method + req.method + req.method)");
        Assert.Contains("longer than 10", Assert.Throws<CelEvaluationException>(() => dynamicPattern.Evaluate(Post)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dynamic_patterns_compile_at_evaluation_and_fail_as_evaluation_errors()
    {
        Assert.Equal(true, Eval("'POST'.matches(req.method)"));
        Assert.Equal(true, Eval("'POST'.matches(req.method) && 'POST'.matches(req.method)"));
        CelProgram<TestRequest> bad = Environment().Compile("'x'.matches(req.method + '(')");
        Assert.Throws<CelEvaluationException>(() => bad.Evaluate(Post));
    }

    [Fact]
    public void A_catastrophic_pattern_runs_in_linear_time()
    {
        // (a+)+$ against a's ending in a non-match takes exponential time on a backtracking engine.
        string subject = new string('a', 50_000) + "!";
        var request = TestRequest.Post with { Path = subject };
        CelProgram<TestRequest> program = Environment().Compile("req.url.path.matches('(a+)+$')");
        var clock = Stopwatch.StartNew();

        Assert.False(program.EvaluateBool(request));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }
}
