using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class MacroTests
{
    [Theory]
    [InlineData("[1, 2, 3].all(x, x > 0)", true)]
    [InlineData("[1, 2, 3].all(x, x > 1)", false)]
    [InlineData("[].all(x, false)", true)]
    [InlineData("[1, 2, 3].exists(x, x == 2)", true)]
    [InlineData("[1, 2, 3].exists(x, x == 5)", false)]
    [InlineData("[].exists(x, true)", false)]
    [InlineData("[1, 2, 3].exists_one(x, x > 2)", true)]
    [InlineData("[1, 2, 3].exists_one(x, x > 1)", false)]
    [InlineData("[1, 2, 3].map(x, x * 2) == [2, 4, 6]", true)]
    [InlineData("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]", true)]
    [InlineData("[1, 2, 3, 4].filter(x, x % 2 == 0) == [2, 4]", true)]
    [InlineData("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])", true)]
    [InlineData("{'a': 1, 'b': 2}.exists(k, k == 'b')", true)]
    [InlineData("req.headers.exists(h, h.startsWith('x-'))", true)]
    [InlineData("req.headers.filter(h, h.startsWith('x-')) == ['x-api-key']", true)]
    [InlineData("[[1, 2], [3]].all(l, l.all(x, x > 0))", true)]
    [InlineData("[1, 2].exists(x, [3, 4].exists(y, x + y == 6))", true)]
    [InlineData("[1, 2].map(x, [10].map(x, x)) == [[10], [10]]", true)]
    [InlineData("[1, 2].map(x, [10].map(y, x + y)) == [[11], [12]]", true)]
    public void Macros_iterate_lists_and_map_keys(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("[1, 0].exists(x, 1 / x == 1)", true)]
    [InlineData("[0, 1].exists(x, 1 / x == 1)", true)]
    [InlineData("[0, 1].all(x, 1 / x > 5)", false)]
    public void All_and_exists_absorb_errors_when_another_element_decides(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("[0, 1].exists(x, 1 / x == 5)")]
    [InlineData("[0, 1].all(x, 1 / x == 1)")]
    [InlineData("[0, 1].exists_one(x, 1 / x == 1)")]
    [InlineData("[0].map(x, 1 / x)")]
    [InlineData("[1].all(x, 'no')")]
    [InlineData("1.all(x, true)")]
    public void Macro_errors_surface_when_nothing_absorbs_them(string expression)
    {
        EvalError(expression);
    }

    [Fact]
    public void The_iteration_budget_is_shared_by_nested_macros()
    {
        var limits = new CelLimits { MaxIterations = 100 };
        CelEnvironment<TestRequest> env = Environment(limits);

        // 10 outer + 10 * 9 inner = 100 iterations: within the budget.
        Assert.True(env.Compile("[0,1,2,3,4,5,6,7,8,9].all(x, [1,2,3,4,5,6,7,8,9].all(y, y > 0))").EvaluateBool(Post));
        CelEvaluationException error = Assert.Throws<CelEvaluationException>(
            () => env.Compile("[0,1,2,3,4,5,6,7,8,9].all(x, [0,1,2,3,4,5,6,7,8,9].all(y, y >= 0))").Evaluate(Post));
        Assert.Contains("macro iterations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_iteration_budget_restarts_with_each_evaluation()
    {
        CelProgram<TestRequest> program = Environment(new CelLimits { MaxIterations = 5 }).Compile("[1, 2, 3].all(x, x > 0)");

        for (int i = 0; i < 3; i++)
        {
            Assert.True(program.EvaluateBool(Post));
        }
    }

    [Fact]
    public void Explosive_nested_macros_stop_at_the_budget_quickly()
    {
        string list = "[" + string.Join(",", Enumerable.Range(0, 100)) + "]";
        CelProgram<TestRequest> program = Environment().Compile($"{list}.all(a, {list}.all(b, {list}.all(c, {list}.all(d, true))))");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Throws<CelEvaluationException>(() => program.Evaluate(Post));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }
}
