using System.Net;
using System.Text;

namespace Burrow.Acme.Tests.Client;

/// <summary>An in-memory ACME server for timing tests: a directory, nonces, and scripted answers to POSTs of one URL.</summary>
internal sealed class ScriptedAcmeServer : HttpMessageHandler
{
    public static readonly Uri Directory = new("https://acme.test/dir");
    public static readonly Uri Authorization = new("https://acme.test/authz/1");
    private readonly Queue<Func<HttpResponseMessage>> _answers = new();
    private int _nonce;
    private int _posts;

    public int Posts => Volatile.Read(ref _posts);

    public void Enqueue(string status, TimeSpan? retryAfter = null) => _answers.Enqueue(() =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"identifier":{"type":"dns","value":"a.test"},"status":"{{status}}","challenges":[{"type":"http-01","url":"https://acme.test/chall/1","status":"{{status}}","token":"t"}]}""",
                Encoding.UTF8, "application/json"),
        };
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        }

        return response;
    });

    /// <summary>The next POST is answered with a problem document (RFC 7807), as a CA refusing it does.</summary>
    public void EnqueueProblem(HttpStatusCode status, string type, string detail, TimeSpan? retryAfter = null) => _answers.Enqueue(() =>
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent($$"""{"type":"{{type}}","detail":"{{detail}}","status":{{(int)status}}}""", Encoding.UTF8, "application/problem+json"),
        };
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        }

        return response;
    });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        if (request.RequestUri == Directory)
        {
            response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    """{"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order"}""",
                    Encoding.UTF8, "application/json"),
            };
        }
        else if (request.Method == HttpMethod.Post && request.RequestUri == Authorization)
        {
            Interlocked.Increment(ref _posts);
            response = _answers.Dequeue()();
        }
        else
        {
            response = new HttpResponseMessage(HttpStatusCode.OK);
        }

        response.Headers.Add("Replay-Nonce", "n" + Interlocked.Increment(ref _nonce));
        return Task.FromResult(response);
    }
}
