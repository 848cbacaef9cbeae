using Burrow.Acme.Client;
using Burrow.Acme.Jws;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Acme.Tests.Client;

public sealed class PollingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedAcmeServer _server = new();

    private AcmeClient NewClient(TimeSpan pollTimeout) =>
        new(new HttpClient(_server), new AcmeClientOptions { Directory = ScriptedAcmeServer.Directory, PollTimeout = pollTimeout }, AccountKey.Create(), _time)
        {
            AccountUrl = new Uri("https://acme.test/acct/1"),
        };

    public void Dispose() => _server.Dispose();

    private async Task WaitForPostsAsync(int count)
    {
        for (int i = 0; i < 500 && _server.Posts < count; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(count, _server.Posts);
    }

    [Fact]
    public async Task Authorization_poll_waits_for_the_servers_retry_after_on_the_time_provider()
    {
        _server.Enqueue("pending", TimeSpan.FromSeconds(7));
        _server.Enqueue("pending", TimeSpan.FromSeconds(7));
        _server.Enqueue("valid");
        var client = NewClient(TimeSpan.FromMinutes(1));

        var wait = client.WaitForAuthorizationAsync(ScriptedAcmeServer.Authorization, TestContext.Current.CancellationToken);
        await WaitForPostsAsync(1);
        _time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(1, _server.Posts);
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForPostsAsync(2);
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal("valid", (await wait).Status);
        Assert.Equal(3, _server.Posts);
    }

    [Fact]
    public async Task A_rate_limited_problem_surfaces_as_5202_with_the_servers_detail_and_retry_after()
    {
        // Let's Encrypt's shape: 429, type rateLimited, the limit in the detail, when to come back in Retry-After.
        const string detail = "too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s";
        _server.EnqueueProblem((System.Net.HttpStatusCode)429, "urn:ietf:params:acme:error:rateLimited", detail, TimeSpan.FromHours(3));
        var client = NewClient(TimeSpan.FromMinutes(1));

        AcmeException error = await Assert.ThrowsAsync<AcmeException>(() => client.WaitForAuthorizationAsync(ScriptedAcmeServer.Authorization, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCodes.AcmeRateLimited, error.Code);
        Assert.Equal("urn:ietf:params:acme:error:rateLimited", error.ProblemType);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddHours(3), error.RetryAfter);
        Assert.Equal(1, _server.Posts);
    }

    [Fact]
    public async Task A_huge_retry_after_is_cut_to_the_longest_poll_wait()
    {
        _server.Enqueue("pending", TimeSpan.FromHours(6));
        _server.Enqueue("valid");
        var client = NewClient(TimeSpan.FromMinutes(1));

        var wait = client.WaitForAuthorizationAsync(ScriptedAcmeServer.Authorization, TestContext.Current.CancellationToken);
        await WaitForPostsAsync(1);
        _time.Advance(new AcmeClientOptions { Directory = ScriptedAcmeServer.Directory }.MaxPollWait);

        Assert.Equal("valid", (await wait).Status);
    }

    [Fact]
    public async Task Authorization_still_pending_after_the_poll_timeout_is_ERR_BURROW_5205()
    {
        _server.Enqueue("pending", TimeSpan.FromSeconds(7));
        _server.Enqueue("pending", TimeSpan.FromSeconds(7));
        var client = NewClient(TimeSpan.FromSeconds(10));

        var wait = client.WaitForAuthorizationAsync(ScriptedAcmeServer.Authorization, TestContext.Current.CancellationToken);
        await WaitForPostsAsync(1);
        _time.Advance(TimeSpan.FromSeconds(7));

        var error = await Assert.ThrowsAsync<AcmeException>(() => wait);
        Assert.Same(ErrorCodes.AcmeTimedOut, error.Code);
        Assert.Equal(2, _server.Posts);
    }

    [Fact]
    public async Task Invalid_authorization_is_ERR_BURROW_5203()
    {
        _server.Enqueue("invalid");
        var client = NewClient(TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.WaitForAuthorizationAsync(ScriptedAcmeServer.Authorization, TestContext.Current.CancellationToken));

        Assert.Same(ErrorCodes.AcmeChallengeFailed, error.Code);
        Assert.Contains("a.test", error.Message, StringComparison.Ordinal);
    }
}
