using System.Reflection;
using System.Text.RegularExpressions;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Tests.Errors;

public sealed partial class ErrorCodesTests
{
    [Fact]
    public void All_lists_every_declared_code_once_in_numeric_order()
    {
        ErrorCode[] declared = [.. typeof(ErrorCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ErrorCode))
            .Select(f => (ErrorCode)f.GetValue(null)!)];

        Assert.Equal(declared.OrderBy(e => e.Number), ErrorCodes.All);
        Assert.Equal(ErrorCodes.All.Count, ErrorCodes.All.Select(e => e.Number).Distinct().Count());
    }

    [Fact]
    public void Names_match_the_field_names()
    {
        foreach (FieldInfo field in typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            Assert.Equal(field.Name, ((ErrorCode)field.GetValue(null)!).Name);
        }
    }

    [Fact]
    public void Codes_have_the_wire_format()
    {
        foreach (ErrorCode error in ErrorCodes.All)
        {
            Assert.Matches(CodePattern(), error.Code);
            Assert.Equal($"ERR_BURROW_{error.Number}", error.Code);
            Assert.False(string.IsNullOrWhiteSpace(error.Hint));
            Assert.EndsWith(".", error.MessageTemplate, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_template_formats_with_its_argument_count()
    {
        foreach (ErrorCode error in ErrorCodes.All)
        {
            object?[] args = [.. Enumerable.Range(0, error.ArgumentCount).Select(i => (object?)$"arg{i}")];

            string message = error.FormatMessage(args);

            Assert.DoesNotContain('{', message);
            Assert.All(args, a => Assert.Contains((string)a!, message, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(3001, 404)]
    [InlineData(3002, 502)]
    [InlineData(3003, 504)]
    [InlineData(3004, 502)]
    [InlineData(3005, 401)]
    [InlineData(3006, 403)]
    [InlineData(3013, 431)]
    [InlineData(3014, 413)]
    [InlineData(5001, 503)]
    public void Proxy_errors_carry_their_http_status(int number, int status)
    {
        Assert.Equal(status, ErrorCodes.All.Single(e => e.Number == number).HttpStatus);
    }

    [Theory]
    [InlineData(1001)] [InlineData(1002)] [InlineData(1003)] [InlineData(1004)]
    [InlineData(2001)] [InlineData(2002)] [InlineData(2003)] [InlineData(2004)] [InlineData(2005)] [InlineData(2006)] [InlineData(2007)]
    [InlineData(3001)] [InlineData(3002)] [InlineData(3003)] [InlineData(3004)] [InlineData(3005)] [InlineData(3006)]
    [InlineData(4001)] [InlineData(4002)] [InlineData(4003)]
    [InlineData(3013)] [InlineData(3014)]
    [InlineData(5001)] [InlineData(5010)]
    public void Catalog_has_the_agreed_codes(int number)
    {
        Assert.Contains(ErrorCodes.All, e => e.Number == number);
    }

    [Fact]
    public void Find_looks_codes_up_by_wire_form()
    {
        Assert.Same(ErrorCodes.HostnameTaken, ErrorCodes.Find("ERR_BURROW_2001"));
        Assert.Null(ErrorCodes.Find("ERR_BURROW_9999"));
        Assert.Null(ErrorCodes.Find("err_burrow_2001"));
        Assert.Null(ErrorCodes.Find(null));
    }

    [Fact]
    public void ToError_fills_the_template_and_Matches_compares_codes()
    {
        ProtocolError error = ErrorCodes.TcpPortUnavailable.ToError(20001);

        Assert.Equal("ERR_BURROW_2005", error.Code);
        Assert.Equal("TCP port 20001 is not available.", error.Message);
        Assert.Equal("ERR_BURROW_2005: TCP port 20001 is not available.", error.ToString());
        Assert.True(ErrorCodes.TcpPortUnavailable.Matches(error));
        Assert.False(ErrorCodes.HostnameTaken.Matches(error));
        Assert.False(ErrorCodes.HostnameTaken.Matches(null));
    }

    [Fact]
    public void Errors_doc_lists_exactly_the_catalog()
    {
        string doc = RepoRoot.ReadAllText("docs/errors.md");

        var headings = DocHeading().Matches(doc).ToDictionary(m => m.Groups["code"].Value, m => m.Groups["name"].Value);
        var mentioned = CodePattern().Matches(doc).Select(m => m.Value).ToHashSet();

        Assert.Equal(ErrorCodes.All.Select(e => e.Code).Order(), headings.Keys.Order());
        Assert.Equal(ErrorCodes.All.Select(e => e.Code).Order(), mentioned.Order());
        Assert.All(ErrorCodes.All, e => Assert.Equal(e.Name, headings[e.Code]));
    }

    [Fact]
    public void Errors_doc_index_has_the_catalog_names_and_statuses()
    {
        string doc = RepoRoot.ReadAllText("docs/errors.md");

        var rows = DocIndexRow().Matches(doc).ToDictionary(m => m.Groups["code"].Value);

        Assert.All(ErrorCodes.All, e =>
        {
            Assert.True(rows.TryGetValue(e.Code, out Match? row), $"{e.Code} missing from the index table");
            Assert.Equal(e.Name, row.Groups["name"].Value);
            Assert.Equal(e.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", row.Groups["status"].Value.Trim());
        });
    }

    [GeneratedRegex(@"ERR_BURROW_\d{4}")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^### (?<code>ERR_BURROW_\d{4}) (?<name>\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex DocHeading();

    [GeneratedRegex(@"^\| (?<code>ERR_BURROW_\d{4}) \| (?<name>\w+) \|(?<status>[^|]*)\|", RegexOptions.Multiline)]
    private static partial Regex DocIndexRow();
}
