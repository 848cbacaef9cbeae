using Burrow.Edge.Errors;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Tests.Errors;

public sealed class ErrorResponderTests
{
    [Theory]
    [InlineData("text/html,application/xhtml+xml", "text/html; charset=utf-8", "<!doctype html>")]
    [InlineData("application/json", "application/json; charset=utf-8", "\"error_code\":\"ERR_BURROW_3001\"")]
    [InlineData("*/*", "text/plain; charset=utf-8", "ERR_BURROW_3001: No tunnel is online for '<x>.localhost'.")]
    public async Task Answer_matches_what_the_client_accepts_and_always_carries_the_code(string accept, string contentType, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = accept;
        context.Response.Body = new MemoryStream();

        await ErrorResponder.WriteAsync(context, ErrorCodes.TunnelNotFound, ErrorCodes.TunnelNotFound.FormatMessage("<x>.localhost"));

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("ERR_BURROW_3001", context.Response.Headers[ErrorResponder.CodeHeader]);
        Assert.Equal(contentType, context.Response.ContentType);
        string body = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains(expected, body, StringComparison.Ordinal);
        Assert.DoesNotContain("<x>.localhost", accept.StartsWith("text/html", StringComparison.Ordinal) ? body : "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_answer_carries_a_challenge()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await ErrorResponder.WriteAsync(context, ErrorCodes.BasicAuthRequired, ErrorCodes.BasicAuthRequired.FormatMessage());

        Assert.Equal(401, context.Response.StatusCode);
        Assert.StartsWith("Basic realm=", context.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
