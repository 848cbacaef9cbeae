using System.Text;
using Burrow.Edge.Policy.Webhooks;
using static Burrow.Edge.Tests.Policy.Webhooks.WebhookKit;

namespace Burrow.Edge.Tests.Policy.Webhooks;

public sealed class ZoomChallengeTests
{
    private const string TokenSecret = "zoom-secret-token";
    private const string Challenge = """{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}""";

    private static WebhookRequest Signed(string body, string secret = TokenSecret) =>
        Request(body, ("x-zm-request-timestamp", "1654503849"), ("x-zm-signature", "v0=" + HexSha256(secret, $"v0:1654503849:{body}")));

    private static bool Answer(WebhookRequest request, out WebhookChallengeAnswer answer)
    {
        using var secret = Secret("zoom", TokenSecret);
        return Provider("zoom").TryAnswerChallenge(request, secret, out answer);
    }

    [Fact]
    public void Signed_url_validation_is_answered_byte_for_byte()
    {
        Assert.True(Answer(Signed(Challenge), out var answer));

        var expected = $$$"""{"plainToken":"qgg8vlvZRS6UYooatFL8Aw","encryptedToken":"{{{HexSha256(TokenSecret, "qgg8vlvZRS6UYooatFL8Aw")}}}"}""";
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), answer.Body.ToArray());
    }

    [Fact]
    public void Unsigned_or_badly_signed_url_validation_is_not_answered()
    {
        // The answer is an HMAC over a string the sender picks; handing it out unsigned would sign anything.
        Assert.False(Answer(Request(Challenge), out _));
        Assert.False(Answer(Signed(Challenge, "another-secret"), out _));
        Assert.False(Answer(Signed(Challenge).WithBody(Challenge.Replace("qgg8", "qgg9", StringComparison.Ordinal)), out _));
    }

    [Fact]
    public void Other_events_and_methods_are_not_challenges()
    {
        Assert.False(Answer(Signed("""{"event":"meeting.started","payload":{"plainToken":"x"}}"""), out _));
        Assert.False(Answer(Signed("""{"event":"meeting.started","payload":{"note":"endpoint.url_validation"}}"""), out _));
        Assert.False(Answer(Signed(Challenge) with { Method = "GET" }, out _));
        Assert.False(Answer(Signed("""{"event":"endpoint.url_validation","payload":{}}"""), out _));
        Assert.False(Answer(Signed("""{"event":"endpoint.url_validation","payload":"""), out _));
    }

    [Fact]
    public void The_challenge_itself_verifies_as_a_signed_event()
    {
        using var secret = Secret("zoom", TokenSecret);
        var result = Provider("zoom").Verify(Signed(Challenge), secret, DateTimeOffset.FromUnixTimeSeconds(1654503849), TimeSpan.FromMinutes(5));

        Assert.True(result.IsVerified);
    }

    [Fact]
    public void Providers_without_a_challenge_answer_nothing()
    {
        using var secret = Secret("github", "s");
        Assert.False(Provider("github").TryAnswerChallenge(Signed(Challenge), secret, out var answer));
        Assert.Equal(default, answer);
    }
}
