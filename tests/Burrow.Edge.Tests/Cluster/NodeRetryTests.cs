using System.Net.Http;
using Burrow.Edge.Cluster;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Burrow.Edge.Tests.Cluster;

/// <summary>When a request another node did not answer may go to another node: never twice with a body, never a timeout.</summary>
public sealed class NodeRetryTests
{
    private static readonly Exception LinkLost = new HttpRequestException("An error occurred while sending the request.", new IOException("The stream was reset by the peer."));
    private static readonly Exception NeverSent = new HttpRequestException(HttpRequestError.ConnectionError, "no link to edge-a", new IOException("link closed"));

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public void An_idempotent_request_the_node_went_away_under_is_sent_again(string method)
    {
        Assert.True(NodeRetry.IsSafe(Request(method, contentLength: null), ForwarderError.Request, LinkLost));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public void A_request_that_is_not_idempotent_is_sent_again_only_when_it_never_left(string method)
    {
        Assert.False(NodeRetry.IsSafe(Request(method, contentLength: 0), ForwarderError.Request, LinkLost));
        Assert.True(NodeRetry.IsSafe(Request(method, contentLength: 0), ForwarderError.Request, NeverSent));
    }

    [Fact]
    public void A_request_with_a_body_is_never_sent_again()
    {
        Assert.False(NodeRetry.IsSafe(Request("PUT", contentLength: 10), ForwarderError.Request, NeverSent));
        Assert.False(NodeRetry.IsSafe(Request("POST", contentLength: null, chunked: true), ForwarderError.Request, NeverSent));
    }

    [Fact]
    public void A_timeout_or_another_kind_of_error_is_not_retried()
    {
        Assert.False(NodeRetry.IsSafe(Request("GET", null), ForwarderError.RequestTimedOut, new TimeoutException()));
        Assert.False(NodeRetry.IsSafe(Request("GET", null), ForwarderError.Request, new HttpRequestException("x", new TaskCanceledException("timed out", new TimeoutException()))));
        Assert.False(NodeRetry.IsSafe(Request("GET", null), ForwarderError.ResponseBodyDestination, LinkLost));
    }

    [Fact]
    public void A_request_the_client_gave_up_is_not_retried()
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        HttpContext context = Request("GET", null);
        context.RequestAborted = aborted.Token;
        Assert.False(NodeRetry.IsSafe(context, ForwarderError.Request, LinkLost));
    }

    private static DefaultHttpContext Request(string method, long? contentLength, bool chunked = false)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.ContentLength = contentLength;
        // As Kestrel says it: a request without Content-Length has a body only when it is chunked.
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new BodyDetection(chunked));

        return context;
    }

    private sealed class BodyDetection(bool canHaveBody) : Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => canHaveBody;
    }
}
