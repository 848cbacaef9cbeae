using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class FunctionTests
{
    [Theory]
    [InlineData("size('héllo')", 5L)]
    [InlineData("size('😀a')", 2L)]
    [InlineData("'abc'.size()", 3L)]
    [InlineData("size(b'abc')", 3L)]
    [InlineData("size([1, 2])", 2L)]
    [InlineData("size({'a': 1})", 1L)]
    [InlineData("size(req.headers)", 2L)]
    public void Size_counts_code_points_bytes_elements_and_entries(string expression, long expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("req.url.path.startsWith('/api')", true)]
    [InlineData("req.url.path.startsWith('/API')", false)]
    [InlineData("req.url.path.endsWith('users')", true)]
    [InlineData("req.url.path.contains('pi/us')", true)]
    [InlineData("'abc'.contains('')", true)]
    [InlineData("'Hello World'.lowerAscii() == 'hello world'", true)]
    [InlineData("'Straße'.upperAscii() == 'STRAßE'", true)]
    [InlineData("'  pad \\t'.trim() == 'pad'", true)]
    [InlineData("'a,b,c'.split(',') == ['a', 'b', 'c']", true)]
    [InlineData("'a,b,c'.split(',', 2) == ['a', 'b,c']", true)]
    [InlineData("'a,b,c'.split(',', 0) == []", true)]
    [InlineData("'abc'.split('') == ['a', 'b', 'c']", true)]
    [InlineData("['a', 'b'].join() == 'ab'", true)]
    [InlineData("['a', 'b'].join('-') == 'a-b'", true)]
    [InlineData("[].join('-') == ''", true)]
    [InlineData("'aaa'.replace('a', 'b') == 'bbb'", true)]
    [InlineData("'aaa'.replace('a', 'b', 2) == 'bba'", true)]
    [InlineData("'abc'.replace('', '-') == '-a-b-c-'", true)]
    [InlineData("'hello'.indexOf('l') == 2", true)]
    [InlineData("'hello'.indexOf('l', 3) == 3", true)]
    [InlineData("'hello'.indexOf('z') == -1", true)]
    [InlineData("'hello'.lastIndexOf('l') == 3", true)]
    [InlineData("'hello'.lastIndexOf('l', 2) == 2", true)]
    [InlineData("'hello'.lastIndexOf('') == 5", true)]
    [InlineData("'😀bc'.indexOf('b') == 1", true)]
    [InlineData("'hello'.substring(1) == 'ello'", true)]
    [InlineData("'hello'.substring(1, 3) == 'el'", true)]
    [InlineData("'😀bc'.substring(1, 2) == 'b'", true)]
    [InlineData("'hello'.charAt(1) == 'e'", true)]
    [InlineData("'hello'.charAt(5) == ''", true)]
    [InlineData("'abc' + string(1) == 'abc1'", true)]
    public void String_functions_behave_as_cel_and_its_strings_extension(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("'hello'.substring(3, 1)", "out of range")]
    [InlineData("'hello'.substring(9)", "out of range")]
    [InlineData("'hello'.charAt(-1)", "out of range")]
    [InlineData("'hello'.indexOf('l', 10)", "out of range")]
    [InlineData("[1, 2].join(',')", "not string")]
    [InlineData("1.startsWith('a')", "no such overload")]
    [InlineData("'a'.startsWith(1)", "no such overload")]
    [InlineData("size(1)", "no such overload")]
    public void String_functions_refuse_bad_arguments(string expression, string message)
    {
        Assert.Contains(message, EvalError(expression).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'a'.nope()", "no such method 'nope'")]
    [InlineData("nope(1)", "undeclared function 'nope'")]
    [InlineData("size(1, 2)", "does not take 2")]
    [InlineData("'a'.startsWith()", "no such method 'startsWith' with 0")]
    [InlineData("has(req)", "has() takes one field selection")]
    [InlineData("[1].all(1, true)", "needs a variable name")]
    public void Unknown_functions_and_wrong_arities_are_compile_errors(string expression, string message)
    {
        Assert.Contains(message, CompileError(expression).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int('42') == 42", true)]
    [InlineData("int('-7') == -7", true)]
    [InlineData("int(3.9) == 3", true)]
    [InlineData("int(-3.9) == -3", true)]
    [InlineData("int(42u) == 42", true)]
    [InlineData("uint(42) == 42u", true)]
    [InlineData("uint('7') == 7u", true)]
    [InlineData("double(2) == 2.0", true)]
    [InlineData("double('1.5') == 1.5", true)]
    [InlineData("string(1.5) == '1.5'", true)]
    [InlineData("string(-3) == '-3'", true)]
    [InlineData("string(3u) == '3'", true)]
    [InlineData("string(true) == 'true'", true)]
    [InlineData("string(b'abc') == 'abc'", true)]
    [InlineData("bytes('é') == b'\\xc3\\xa9'", true)]
    [InlineData("bool('true') && !bool('false') && bool('1') && !bool('f')", true)]
    [InlineData("dyn(1) == 1", true)]
    [InlineData("type(1) == int && type('a') == string && type(1u) == uint && type(1.0) == double", true)]
    [InlineData("type([]) == list && type({}) == map && type(null) == null_type && type(b'') == bytes", true)]
    [InlineData("type(true) == bool && type(int) == type", true)]
    [InlineData("type(duration('1s')) == google.protobuf.Duration", true)]
    public void Conversions_convert_between_cel_types(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("int('x')")]
    [InlineData("int('1.5')")]
    [InlineData("int(9223372036854775808.0)")]
    [InlineData("int(18446744073709551615u)")]
    [InlineData("int(double('NaN'))")]
    [InlineData("uint(-1)")]
    [InlineData("uint(-1.0)")]
    [InlineData("double('abc')")]
    [InlineData("bool('yes')")]
    [InlineData("string(b'\\xff')")]
    [InlineData("string([1])")]
    [InlineData("int([])")]
    public void Conversions_refuse_values_out_of_range_or_of_the_wrong_kind(string expression)
    {
        EvalError(expression);
    }

    [Theory]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getFullYear() == 2024", true)]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getMonth() == 2", true)]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getDayOfMonth() == 14", true)]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getDate() == 15", true)]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getDayOfWeek() == 5", true)]
    [InlineData("timestamp('2024-03-15T13:45:30Z').getDayOfYear() == 74", true)]
    [InlineData("timestamp('2024-03-15T13:45:30.250Z').getMilliseconds() == 250", true)]
    [InlineData("time.now.getHours() == 13 && time.now.getMinutes() == 45 && time.now.getSeconds() == 30", true)]
    [InlineData("time.now.getHours('+05:30') == 19 && time.now.getMinutes('+05:30') == 15", true)]
    [InlineData("time.now.getHours('-08:00') == 5", true)]
    [InlineData("time.now.getHours('America/New_York') == 9", true)]
    [InlineData("timestamp('2024-03-15T15:45:30+02:00') == time.now", true)]
    [InlineData("timestamp(0) == timestamp('1970-01-01T00:00:00Z')", true)]
    [InlineData("int(timestamp('1970-01-01T00:01:00Z')) == 60", true)]
    [InlineData("duration('1h30m') == duration('90m')", true)]
    [InlineData("duration('1.5s') == duration('1500ms')", true)]
    [InlineData("duration('-2m').getSeconds() == -120", true)]
    [InlineData("duration('3h').getHours() == 3 && duration('3h').getMinutes() == 180", true)]
    [InlineData("time.now - timestamp('2024-03-15T13:00:00Z') == duration('45m30s')", true)]
    [InlineData("timestamp('2024-03-15T13:00:00Z') + duration('1h') > time.now", true)]
    [InlineData("time.now - duration('24h') < time.now", true)]
    [InlineData("duration('1m') + duration('1s') == duration('61s')", true)]
    [InlineData("string(timestamp('2024-03-15T13:45:30Z')) == '2024-03-15T13:45:30Z'", true)]
    [InlineData("string(duration('1m')) == '60s'", true)]
    public void Timestamps_and_durations_parse_compute_and_expose_accessors(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("timestamp('2024-03-15')")]
    [InlineData("timestamp('2024-03-15T13:45:30')")]
    [InlineData("timestamp('yesterday')")]
    [InlineData("duration('1x')")]
    [InlineData("duration('')")]
    [InlineData("duration('h')")]
    [InlineData("time.now.getHours('Mars/Olympus')")]
    [InlineData("timestamp('9999-12-31T23:59:59Z') + duration('1h')")]
    [InlineData("duration('999999999h')")]
    public void Bad_timestamps_durations_and_zones_are_errors(string expression)
    {
        EvalError(expression);
    }

    [Theory]
    [InlineData("base64.encode(b'hello') == 'aGVsbG8='", true)]
    [InlineData("base64.decode('aGVsbG8=') == b'hello'", true)]
    [InlineData("basic_auth.encode('username', 'password1') == 'Basic dXNlcm5hbWU6cGFzc3dvcmQx'", true)]
    [InlineData("url.encode('a b&c') == 'a%20b%26c'", true)]
    [InlineData("url.decode('a%20b') == 'a b'", true)]
    public void Encoders_follow_ngroks_macros(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Base64_decode_refuses_unpadded_or_invalid_text()
    {
        EvalError("base64.decode('aGVsbG8')");
        EvalError("base64.decode('!!!')");
    }

    [Theory]
    [InlineData("has(vars.tier)", true)]
    [InlineData("has(vars.nope)", false)]
    [InlineData("has(req.headers.x)", false)]
    [InlineData("has({'a': 1}.a)", true)]
    [InlineData("has(req.method)", true)]
    public void Has_tests_field_presence_without_failing(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }
}
