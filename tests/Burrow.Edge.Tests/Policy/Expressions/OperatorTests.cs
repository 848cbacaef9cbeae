using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class OperatorTests
{
    [Theory]
    [InlineData("9223372036854775807 + 1")]
    [InlineData("-9223372036854775808 - 1")]
    [InlineData("9223372036854775807 * 2")]
    [InlineData("-(-9223372036854775808)")]
    [InlineData("-9223372036854775808 / -1")]
    [InlineData("-9223372036854775808 % -1")]
    [InlineData("0u - 1u")]
    [InlineData("18446744073709551615u + 1u")]
    [InlineData("18446744073709551615u * 2u")]
    public void Integer_overflow_is_an_error_not_a_wrap(string expression)
    {
        Assert.Contains("overflow", EvalError(expression).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 / 0", "division by zero")]
    [InlineData("1 % 0", "modulus by zero")]
    [InlineData("1u / 0u", "division by zero")]
    [InlineData("1 + 1u", "no such overload")]
    [InlineData("'a' + 1", "no such overload")]
    [InlineData("'a' < 1", "no such overload")]
    [InlineData("-'a'", "no such overload")]
    [InlineData("!1", "no such overload")]
    [InlineData("1.5 % 1.0", "no such overload")]
    public void Mismatched_or_undefined_arithmetic_is_an_error(string expression, string message)
    {
        Assert.Contains(message, EvalError(expression).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5 % -3", 2L)]
    [InlineData("-5 % 3", -2L)]
    [InlineData("-7 / 2", -3L)]
    [InlineData("3 - 5", -2L)]
    public void Integer_division_truncates_toward_zero(string expression, long expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1.0 / 0.0 == double('Infinity')", true)]
    [InlineData("0.1 + 0.2 > 0.3", true)]
    [InlineData("2.5 * 2.0 == 5.0", true)]
    public void Doubles_follow_ieee754(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("'ab' + 'cd' == 'abcd'", true)]
    [InlineData("b'ab' + b'cd' == b'abcd'", true)]
    [InlineData("[1, 2] + [3] == [1, 2, 3]", true)]
    [InlineData("[] + [] == []", true)]
    public void Plus_concatenates_strings_bytes_and_lists(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1 == 1.0", true)]
    [InlineData("1u == 1", true)]
    [InlineData("1 < 2u", true)]
    [InlineData("-1 < 0u", true)]
    [InlineData("2.5 > 2", true)]
    [InlineData("9223372036854775807 < 9223372036854775808.0", true)]
    [InlineData("18446744073709551615u > 9223372036854775807", true)]
    [InlineData("double('NaN') == double('NaN')", false)]
    [InlineData("double('NaN') < 1.0", false)]
    [InlineData("double('NaN') >= 1.0", false)]
    [InlineData("'abc' < 'abd'", true)]
    [InlineData("'B' < 'a'", true)]
    [InlineData("b'\\x01' < b'\\x02'", true)]
    [InlineData("false < true", true)]
    [InlineData("'1' == 1", false)]
    [InlineData("null == null", true)]
    [InlineData("null != 'x'", true)]
    [InlineData("[1, [2, 'x']] == [1, [2, 'x']]", true)]
    [InlineData("[1, 2] != [2, 1]", true)]
    [InlineData("{'a': [1], 'b': 2} == {'b': 2, 'a': [1]}", true)]
    [InlineData("{'a': 1} == {'a': 1.0}", true)]
    [InlineData("{'a': 1} != {'a': 2}", true)]
    [InlineData("3 >= 3 && 3 <= 3 && !(3 > 3) && !(3 < 3)", true)]
    public void Comparisons_are_numeric_across_kinds_and_deep_for_aggregates(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("2 in [1, 2, 3]", true)]
    [InlineData("2.0 in [1, 2, 3]", true)]
    [InlineData("4 in [1, 2, 3]", false)]
    [InlineData("'a' in {'a': 1}", true)]
    [InlineData("'b' in {'a': 1}", false)]
    [InlineData("1u in {1: 'x'}", true)]
    [InlineData("'x-api-key' in req.headers", true)]
    [InlineData("'missing' in req.headers", false)]
    [InlineData("req.method in ['GET', 'POST']", true)]
    [InlineData("req.method in ['GET', 'HEAD']", false)]
    [InlineData("[1] in [[1], [2]]", true)]
    public void In_tests_list_membership_and_map_keys(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("false && 1 / 0 == 1", false)]
    [InlineData("1 / 0 == 1 && false", false)]
    [InlineData("true || 1 / 0 == 1", true)]
    [InlineData("1 / 0 == 1 || true", true)]
    [InlineData("req.headers['nope'] == 'x' && false", false)]
    [InlineData("false && 'not a bool'", false)]
    [InlineData("'not a bool' || true", true)]
    [InlineData("req.headers['nope'][0] == 'x' || req.method == 'POST'", true)]
    public void And_and_or_absorb_errors_on_either_side_when_the_other_decides(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("true && 1 / 0 == 1", "division by zero")]
    [InlineData("1 / 0 == 1 && true", "division by zero")]
    [InlineData("false || 1 / 0 == 1", "division by zero")]
    [InlineData("1 / 0 == 1 || false", "division by zero")]
    [InlineData("'a' && true", "no such overload")]
    [InlineData("true || req.headers['nope'] == 'x' ? 1 / 0 : 0", "division by zero")]
    public void And_and_or_keep_the_error_when_the_other_side_cannot_decide(string expression, string message)
    {
        Assert.Contains(message, EvalError(expression).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_circuit_skips_the_right_side_entirely()
    {
        int calls = 0;
        CelProgram<TestRequest> program = Environment()
            .AddFunction("count", 0, (_, _) => { calls++; return true; })
            .Compile("req.method == 'GET' && count()");

        Assert.False(program.EvaluateBool(Post));
        Assert.Equal(0, calls);
    }

    [Theory]
    [InlineData("'cows' ? 1 : 2", "no such overload")]
    [InlineData("[1, 2][2]", "index out of range")]
    [InlineData("[1, 2][-1]", "index out of range")]
    [InlineData("{'a': 1}['b']", "no such key")]
    [InlineData("{'a': 1}.b", "no such key")]
    [InlineData("req.headers['x-missing']", "no such key")]
    [InlineData("{'a': 1, 'a': 2}", "duplicate map key")]
    [InlineData("{[1]: 2}", "unsupported map key")]
    [InlineData("'abc'.x", "no such field")]
    public void Bad_access_is_an_evaluation_error(string expression, string message)
    {
        Assert.Contains(message, EvalError(expression).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[10, 20, 30][1]", 20L)]
    [InlineData("[10, 20, 30][1u]", 20L)]
    [InlineData("{'a': {'b': 5}}.a.b", 5L)]
    [InlineData("{'a': {'b': 5}}['a']['b']", 5L)]
    [InlineData("{1: 7}[1.0]", 7L)]
    [InlineData("vars.tier == 'gold' ? 1 : 0", 1L)]
    public void Member_and_index_access_read_lists_and_maps(string expression, long expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Host_paths_resolve_by_longest_prefix_then_member_access()
    {
        Assert.Equal("POST", Eval("req.method"));
        Assert.Equal("/api/users", Eval("req.url.path"));
        Assert.Equal("k1", Eval("req.headers['x-api-key'][0]"));
        Assert.Equal("gold", Eval("vars.tier"));
        Assert.Equal("gold", Eval("vars['tier']"));
        Assert.Contains("no such key", EvalError("vars.missing").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("req.foo", "req.foo", 0)]
    [InlineData("req.url.host == 'x'", "req.url.host", 0)]
    [InlineData("true && nope.a.b", "nope.a.b", 8)]
    [InlineData("request.method", "request.method", 0)]
    public void Unregistered_paths_are_refused_at_compile_time(string expression, string path, int position)
    {
        CelCompileException error = CompileError(expression);

        Assert.Equal($"undeclared reference to '{path}'", error.Reason);
        Assert.Equal(position, error.Position);
    }

    [Theory]
    [InlineData("req.url.nope == 'x'", "req.url.nope", "req.url has host, path")]
    [InlineData("req.url.nope.startsWith('/a')", "req.url.nope", "req.url has host, path")]
    [InlineData("size(req.url.path.x) > 0", "req.url.path.x", null)]
    public void Below_a_variable_whose_fields_are_registered_an_unknown_field_is_refused_at_compile_time(string expression, string path, string? fields)
    {
        // req.url itself is a string, its parts registered as variables of their own (as the edge does).
        CelEnvironment<TestRequest> environment = TestRequest.Environment()
            .AddVariable("req.url", r => "https://example.com" + r.Path)
            .AddVariable("req.url.host", _ => "example.com");

        if (fields is null)
        {
            // req.url.path has no registered fields: selecting on it compiles and fails when evaluated, as CEL does.
            Assert.Throws<CelEvaluationException>(() => environment.Compile(expression).Evaluate(TestRequest.Post));
            return;
        }

        CelCompileException error = Assert.Throws<CelCompileException>(() => environment.Compile(expression));
        Assert.Equal($"undeclared reference to '{path}' ({fields})", error.Reason);
        Assert.Equal(0, error.Position);
        // Its registered fields and maps below other variables still compile.
        Assert.Equal(true, environment.Compile("req.url.host == 'example.com' && req.headers['x-api-key'][0] == 'k1'").Evaluate(TestRequest.Post));
    }

    [Fact]
    public void Literal_only_subtrees_are_folded_at_compile_time()
    {
        Assert.True(Environment().Compile("1 + 2 * 3 == 7 && 'a' + 'b' == 'ab'").IsConstant);
        Assert.True(Environment().Compile("size([1, 2, 3]) == 3").IsConstant);
        Assert.False(Environment().Compile("req.method == 'GET'").IsConstant);
        // A failing constant is left to fail at evaluation, where && / || can still absorb it.
        Assert.False(Environment().Compile("1 / 0 == 1").IsConstant);
    }

    [Fact]
    public void EvaluateBool_refuses_a_non_bool_result()
    {
        CelProgram<TestRequest> program = Environment().Compile("req.method");

        CelEvaluationException error = Assert.Throws<CelEvaluationException>(() => program.EvaluateBool(Post));
        Assert.Contains("string, not bool", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_function_faults_become_evaluation_errors()
    {
        CelProgram<TestRequest> program = Environment()
            .AddFunction("boom", 1, (_, _) => throw new InvalidOperationException("host bug"))
            .Compile("boom(1)");

        CelEvaluationException error = Assert.Throws<CelEvaluationException>(() => program.Evaluate(Post));
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public void Host_function_arity_is_checked_at_compile_time()
    {
        CelCompileException error = CompileError("req.method == 'x' || getReqHeader('a', 'b') == []");

        Assert.Equal(21, error.Position);
        Assert.Contains("does not take 2 argument(s)", error.Reason, StringComparison.Ordinal);
        Assert.Equal(new object?[] { "k1" }, Eval("getReqHeader('x-api-key')"));
    }
}
