using Burrow.Edge.Policy.Expressions;
using static Burrow.Edge.Tests.Policy.Expressions.TestRequest;

namespace Burrow.Edge.Tests.Policy.Expressions;

public sealed class CidrTests
{
    [Theory]
    [InlineData("inCidrRange('10.1.2.3', '10.0.0.0/8')", true)]
    [InlineData("inCidrRange('11.1.2.3', '10.0.0.0/8')", false)]
    [InlineData("inCidrRange('10.1.2.3', '10.1.2.3/32')", true)]
    [InlineData("inCidrRange('10.1.2.4', '10.1.2.3/32')", false)]
    [InlineData("inCidrRange('10.1.2.3', '10.9.9.9/8')", true)]
    [InlineData("inCidrRange('1.2.3.4', '0.0.0.0/0')", true)]
    [InlineData("inCidrRange('2001:db8::1', '2001:db8::/32')", true)]
    [InlineData("inCidrRange('2001:db9::1', '2001:db8::/32')", false)]
    [InlineData("inCidrRange('::ffff:10.1.2.3', '10.0.0.0/8')", true)]
    [InlineData("inCidrRange('10.1.2.3', '::ffff:10.0.0.0/104')", true)]
    [InlineData("inCidrRange('10.1.2.3', '2001:db8::/32')", false)]
    [InlineData("inCidrRange('2001:db8::1', '10.0.0.0/8')", false)]
    [InlineData("inCidrRange('not an ip', '10.0.0.0/8')", false)]
    [InlineData("inCidrRange(conn.client_ip, '203.0.113.0/24')", true)]
    [InlineData("inCidrRange(conn.client_ip, '198.51.100.0/24')", false)]
    public void InCidrRange_compares_within_a_family_and_unwraps_mapped_addresses(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("inCidrRanges(conn.client_ip, ['10.0.0.0/8', '203.0.113.0/24'])", true)]
    [InlineData("inCidrRanges(conn.client_ip, ['10.0.0.0/8', '2001:db8::/32'])", false)]
    [InlineData("inCidrRanges(conn.client_ip, [])", false)]
    [InlineData("inCidrRanges('2001:db8::5', ['10.0.0.0/8', '2001:db8::/32'])", true)]
    public void InCidrRanges_is_true_when_any_range_contains_the_address(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("inCidrRange(conn.client_ip, '10.0.0.0')", 28)]
    [InlineData("inCidrRange(conn.client_ip, '10.0.0.0/33')", 28)]
    [InlineData("inCidrRange(conn.client_ip, 'x/8')", 28)]
    [InlineData("inCidrRanges(conn.client_ip, ['10.0.0.0/8', 'bad'])", 29)]
    public void A_bad_constant_range_is_a_compile_error(string expression, int position)
    {
        Assert.Equal(position, CompileError(expression).Position);
    }

    [Fact]
    public void A_bad_dynamic_range_is_false_and_a_non_string_address_is_an_error()
    {
        Assert.Equal(false, Eval("inCidrRange('10.0.0.1', vars.tier)"));
        Assert.Equal(true, Eval("inCidrRange('10.0.0.1', '10.0.0.' + '0/24')"));
        EvalError("inCidrRange(1, '10.0.0.0/8')");
    }
}
