using System.Net;
using System.Net.Http;
using Burrow.Protocol.Http;

namespace Burrow.Protocol.Tests.Http;

public sealed class UpstreamConnectionReuseTests
{
    private static HttpResponseMessage Response(Version version, params string[] connection)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = version };
        foreach (string token in connection)
        {
            response.Headers.Connection.Add(token);
        }

        return response;
    }

    [Fact]
    public void An_http10_response_without_keep_alive_closes_the_connection()
    {
        using HttpResponseMessage response = Response(HttpVersion.Version10);
        Assert.True(UpstreamConnectionReuse.ClosesAfter(response));
    }

    [Fact]
    public void An_http10_response_with_keep_alive_keeps_it()
    {
        using HttpResponseMessage response = Response(HttpVersion.Version10, "Keep-Alive");
        Assert.False(UpstreamConnectionReuse.ClosesAfter(response));
    }

    [Fact]
    public void An_http11_response_keeps_it_whatever_it_says()
    {
        // HTTP/1.1's Connection: close is handled by the pool itself; only HTTP/1.0's silent default is missed.
        using HttpResponseMessage open = Response(HttpVersion.Version11);
        using HttpResponseMessage closing = Response(HttpVersion.Version11, "close");
        Assert.False(UpstreamConnectionReuse.ClosesAfter(open));
        Assert.False(UpstreamConnectionReuse.ClosesAfter(closing));
    }

    [Fact]
    public void Connections_are_pooled_only_once_a_response_shows_the_upstream_keeps_them()
    {
        var reuse = new UpstreamConnectionReuse();
        Assert.False(reuse.PoolConnections);
        reuse.Observe(null);
        Assert.False(reuse.PoolConnections);

        using HttpResponseMessage http11 = Response(HttpVersion.Version11);
        reuse.Observe(http11);
        Assert.True(reuse.PoolConnections);
        Assert.False(reuse.ClosesAfterEachResponse);
    }

    [Fact]
    public void Once_an_upstream_closed_after_a_response_it_is_never_pooled_again()
    {
        var reuse = new UpstreamConnectionReuse();
        using HttpResponseMessage http10 = Response(HttpVersion.Version10);
        using HttpResponseMessage http11 = Response(HttpVersion.Version11);
        reuse.Observe(http11);
        reuse.Observe(http10);
        reuse.Observe(http11);
        Assert.False(reuse.PoolConnections);
        Assert.True(reuse.ClosesAfterEachResponse);
    }
}
