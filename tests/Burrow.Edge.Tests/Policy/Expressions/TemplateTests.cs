using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class TemplateTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("${req.method}", "POST")]
    [InlineData("method=${req.method} path=${req.url.path}", "method=POST path=/api/users")]
    [InlineData("${req.headers['x-api-key']}", "[k1]")]
    [InlineData("${[1, 'a', 2.5, true, null]}", "[1, a, 2.5, true, null]")]
    [InlineData("${{'k': 'v'}}", "{k: v}")]
    [InlineData("${'}'}", "}")]
    [InlineData("${\"${x}\"}", "${x}")]
    [InlineData("${'''}'''} ${r'\\'}", "} \\")]
    [InlineData("$ {not} $x {y}", "$ {not} $x {y}")]
    [InlineData("${1u + 2u}/${duration('2m')}", "3/120s")]
    public void Interpolations_render_as_cel_string_would(string template, string expected)
    {
        Assert.Equal(expected, Environment().CompileTemplate(template).Render(Post));
    }

    [Fact]
    public void Rendered_values_are_not_expanded_again()
    {
        var request = Post with { Method = "${req.url.path}" };

        Assert.Equal("m=${req.url.path}", Environment().CompileTemplate("m=${req.method}").Render(request));
    }

    [Fact]
    public void Constant_templates_render_at_compile_time()
    {
        Assert.True(Environment().CompileTemplate("a ${1 + 1} b").IsConstant);
        Assert.Equal("a 2 b", Environment().CompileTemplate("a ${1 + 1} b").Render(Post));
        Assert.False(Environment().CompileTemplate("a ${req.method}").IsConstant);
    }

    [Theory]
    [InlineData("abc ${req.method", 4)]
    [InlineData("${'}", 0)]
    [InlineData("x ${}", 2)]
    [InlineData("ab ${req.nope}", 5)]
    [InlineData("ab ${1 +}", 8)]
    public void Template_errors_point_into_the_whole_text(string template, int position)
    {
        CelCompileException error = Assert.Throws<CelCompileException>(() => Environment().CompileTemplate(template));

        Assert.Equal(position, error.Position);
        Assert.Equal(template, error.Expression);
    }

    [Fact]
    public void A_failing_interpolation_fails_the_render()
    {
        CelTemplate<TestRequest> template = Environment().CompileTemplate("v=${req.headers['nope']}");

        Assert.Throws<CelEvaluationException>(() => template.Render(Post));
    }
}
