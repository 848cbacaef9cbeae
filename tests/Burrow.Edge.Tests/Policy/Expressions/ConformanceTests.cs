using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

/// <summary>
/// Cases taken from the cel-spec conformance suite (google/cel-spec tests/simple/testdata/logic.textproto,
/// sections conditional, AND, OR, NOT), expression and expected outcome as written there.
/// </summary>
public sealed class ConformanceTests
{
    [Theory]
    [InlineData("true ? 1 : 2", 1L)]
    [InlineData("false ? 'foo' : 'bar'", "bar")]
    [InlineData("true ? 'cows' : 17", "cows")]
    [InlineData("true && true", true)]
    [InlineData("false && false", false)]
    [InlineData("false && true", false)]
    [InlineData("true && false", false)]
    [InlineData("false && 32", false)]
    [InlineData("'horses' && false", false)]
    [InlineData("false && (2 / 0 > 3 ? false : true)", false)]
    [InlineData("(2 / 0 > 3 ? false : true) && false", false)]
    [InlineData("true || true", true)]
    [InlineData("false || false", false)]
    [InlineData("false || true", true)]
    [InlineData("true || false", true)]
    [InlineData("true || 32", true)]
    [InlineData("'horses' || true", true)]
    [InlineData("true || (2 / 0 > 3 ? false : true)", true)]
    [InlineData("(2 / 0 > 3 ? false : true) || true", true)]
    [InlineData("!true", false)]
    [InlineData("!false", true)]
    public void Logic_values(string expression, object expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("2 / 0 > 4 ? 'baz' : 'quux'")]
    [InlineData("'cows' ? false : 17")]
    [InlineData("true && 1/0 != 0")]
    [InlineData("1/0 != 0 && true")]
    [InlineData("'less filling' && 'tastes great'")]
    [InlineData("false || 1/0 != 0")]
    [InlineData("1/0 != 0 || false")]
    [InlineData("'less filling' || 'tastes great'")]
    public void Logic_errors(string expression)
    {
        EvalError(expression);
    }
}
