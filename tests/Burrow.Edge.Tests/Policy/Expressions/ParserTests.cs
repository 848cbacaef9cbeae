using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class ParserTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7L)]
    [InlineData("(1 + 2) * 3", 9L)]
    [InlineData("10 - 4 - 3", 3L)]
    [InlineData("100 / 10 / 5", 2L)]
    [InlineData("7 % 4 * 2", 6L)]
    [InlineData("-2 * 3", -6L)]
    [InlineData("--5", 5L)]
    [InlineData("0x1F", 31L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("true ? 1 : 2", 1L)]
    [InlineData("false ? 1 : true ? 2 : 3", 2L)]
    public void Arithmetic_and_ternary_follow_CEL_precedence(string expression, long expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1 < 2 == true", true)]
    [InlineData("!true || true", true)]
    [InlineData("!(true || true)", false)]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("1 + 1 == 2 && 'a' + 'b' == 'ab'", true)]
    [InlineData("2 in [1, 2] == true", true)]
    [InlineData("!!true", true)]
    public void Logical_and_relational_operators_follow_CEL_precedence(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1u", 1UL)]
    [InlineData("0xFFu", 255UL)]
    [InlineData("18446744073709551615u", ulong.MaxValue)]
    public void Unsigned_literals_parse(string expression, ulong expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("2.5e-1", 0.25)]
    [InlineData("-0.5", -0.5)]
    public void Double_literals_parse(string expression, double expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("'a\\nb'", "a\nb")]
    [InlineData("\"double\"", "double")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("'''tri'ple\nline'''", "tri'ple\nline")]
    [InlineData("\"\"\"x\"\"\"", "x")]
    [InlineData("r'\\d+'", "\\d+")]
    [InlineData("R\"\\n\"", "\\n")]
    [InlineData("'\\x41\\101\\u00e9\\U0001F600'", "AAé😀")]
    [InlineData("'\\a\\b\\f\\r\\t\\v\\\\\\?\\`'", "\a\b\f\r\t\v\\?`")]
    [InlineData("'// not a comment'", "// not a comment")]
    [InlineData("'a' // trailing comment", "a")]
    public void String_literals_honour_quotes_prefixes_and_escapes(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Bytes_literals_keep_raw_octets_and_utf8_text_in_order()
    {
        Assert.Equal(new byte[] { 0xFF, (byte)'a', 0xC3, 0xA9, 0 }, Eval("b'\\xFFaé\\000'"));
        Assert.Equal("hello"u8.ToArray(), Eval("B\"hello\""));
    }

    [Fact]
    public void List_and_map_literals_allow_trailing_commas()
    {
        var list = Assert.IsAssignableFrom<IReadOnlyList<object?>>(Eval("[1, 'two', 3.0,]"));
        Assert.Equal(new object?[] { 1L, "two", 3.0 }, list);
        var map = Assert.IsAssignableFrom<ICelMap>(Eval("{'a': 1, 2: 'b',}"));
        Assert.Equal(2, map.Count);
        Assert.True(map.TryGetValue(2L, out object? b));
        Assert.Equal("b", b);
    }

    [Theory]
    [InlineData("1 +", 3)]
    [InlineData("(1 + 2", 6)]
    [InlineData("req.method == 'GET", 14)]
    [InlineData("1 2", 2)]
    [InlineData("a.", 2)]
    [InlineData("'\\q'", 1)]
    [InlineData("9223372036854775808", 0)]
    [InlineData("-9223372036854775809", 1)]
    [InlineData("1 # 2", 2)]
    [InlineData("if", 0)]
    [InlineData("{'a' 1}", 5)]
    [InlineData("[1, 2", 5)]
    [InlineData("'line\nbreak'", 5)]
    [InlineData("'\\U80010000'", 1)]
    [InlineData("'\\uD800'", 1)]
    public void Syntax_errors_point_at_the_offending_character(string expression, int position)
    {
        CelCompileException error = CompileError(expression);

        Assert.Equal(position, error.Position);
        Assert.Equal(expression, error.Expression);
    }

    [Fact]
    public void Describe_draws_a_caret_under_the_position()
    {
        CelCompileException error = CompileError("req.method == nope");

        Assert.Equal(14, error.Position);
        Assert.Equal("undeclared reference to 'nope'\n | req.method == nope\n |               ^", error.Describe());
    }
}
