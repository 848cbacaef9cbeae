using System.Text;
using Burrow.Edge.Certificates.OnDemand;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Tests.Certificates.OnDemand;

public sealed class AcmeChallengeResponderTests
{
    private static DefaultHttpContext Request(string path, string method = "GET", bool https = false, string host = "app.customer.test")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Host = new HostString(host);
        context.Request.IsHttps = https;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task Pending_token_is_answered_for_any_host_and_an_unknown_one_is_404_without_reaching_a_tunnel()
    {
        var responder = new AcmeChallengeResponder();
        await responder.Http01.PresentAsync("app.customer.test", "tok123", "tok123.thumb", CancellationToken.None);

        var known = Request("/.well-known/acme-challenge/tok123", host: "anything.example");
        await responder.TryAnswerHttp01(known)!;
        Assert.Equal(200, known.Response.StatusCode);
        Assert.Equal("tok123.thumb", Body(known));

        var unknown = Request("/.well-known/acme-challenge/other");
        await responder.TryAnswerHttp01(unknown)!;
        Assert.Equal(404, unknown.Response.StatusCode);
        Assert.Equal("", Body(unknown));

        await responder.Http01.CleanupAsync("app.customer.test", "tok123", "tok123.thumb", CancellationToken.None);
        var taken = Request("/.well-known/acme-challenge/tok123");
        await responder.TryAnswerHttp01(taken)!;
        Assert.Equal(404, taken.Response.StatusCode);
    }

    [Fact]
    public void Other_paths_and_https_requests_go_on_to_the_tunnels()
    {
        var responder = new AcmeChallengeResponder();

        Assert.Null(responder.TryAnswerHttp01(Request("/")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/security.txt")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/acme-challengeX/tok")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/acme-challenge/tok", https: true)));
    }
}
