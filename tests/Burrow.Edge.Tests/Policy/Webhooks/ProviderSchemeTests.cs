using System.Security.Cryptography;
using System.Text;
using Burrow.Edge.Policy.Webhooks;
using static Burrow.Edge.Tests.Policy.Webhooks.WebhookKit;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>What particular schemes do beyond the shared contract.</summary>
public sealed class ProviderSchemeTests
{
    private const string Body = ProviderCases.Body;
    private const string Key = ProviderCases.TextSecret;

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void GitHub_falls_back_to_the_sha1_header_only_when_the_sha256_one_is_absent()
    {
        var sha1 = "sha1=" + Convert.ToHexStringLower(Hmac(HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(Key), Body));

        Assert.True(Verify("github", Key, Request(Body, ("X-Hub-Signature", sha1))).IsVerified);
        Assert.Equal(
            WebhookOutcome.BadSignature,
            Verify("github", Key, Request(Body, ("X-Hub-Signature", sha1), ("X-Hub-Signature-256", "sha256=" + new string('0', 64)))).Outcome);
    }

    [Fact]
    public void Hex_signatures_match_in_either_case()
    {
        var upper = "sha256=" + HexSha256(Key, Body).ToUpperInvariant();

        Assert.True(Verify("github", Key, Request(Body, ("X-Hub-Signature-256", upper))).IsVerified);
    }

    [Fact]
    public void Stripe_passes_when_any_of_several_v1_signatures_matches_and_ignores_v0()
    {
        var t = Seconds(Now);
        var good = HexSha256("whsec_test", $"{t}.{Body}");
        var header = $"t={t},v1={new string('a', 64)},v0={new string('b', 64)},v1={good}";

        Assert.True(Verify("stripe", "whsec_test", Request(Body, ("Stripe-Signature", header))).IsVerified);
        Assert.Equal(WebhookOutcome.Malformed, Verify("stripe", "whsec_test", Request(Body, ("Stripe-Signature", $"v1={good}"))).Outcome);
        Assert.Equal(WebhookOutcome.Malformed, Verify("stripe", "whsec_test", Request(Body, ("Stripe-Signature", $"t={t},v0={good}"))).Outcome);
    }

    [Fact]
    public void Stripe_default_tolerance_is_300_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(300), Provider("stripe").DefaultTolerance);
        Assert.Equal(TimeSpan.FromMinutes(1), Provider("linear").DefaultTolerance);
    }

    [Fact]
    public void Svix_passes_when_any_signature_in_the_space_separated_list_matches()
    {
        var headers = ProviderCases.StandardHeaders("svix-", ProviderCases.WhsecSecret, Now, Body);
        var good = headers[2].Value;
        headers[2] = ("svix-signature", $"v1,{Convert.ToBase64String(new byte[32])} v1a,ZmFrZQ== {good}");

        Assert.True(Verify("svix", ProviderCases.WhsecSecret, Request(Body, headers)).IsVerified);
    }

    [Fact]
    public void Standard_webhooks_does_not_read_svix_headers()
    {
        var request = Request(Body, ProviderCases.StandardHeaders("svix-", ProviderCases.WhsecSecret, Now, Body));

        Assert.Equal(WebhookOutcome.MissingSignature, Verify("standard_webhooks", ProviderCases.WhsecSecret, request).Outcome);
    }

    [Fact]
    public void PagerDuty_passes_when_any_of_a_comma_list_matches()
    {
        var header = $"v1={new string('0', 64)}, v1={HexSha256(Key, Body)}";

        Assert.True(Verify("pagerduty", Key, Request(Body, ("X-PagerDuty-Signature", header))).IsVerified);
    }

    [Fact]
    public void GitLab_secret_token_is_compared_with_the_configured_secret()
    {
        Assert.True(Verify("gitlab", "my-gitlab-token", Request(Body, ("X-Gitlab-Token", "my-gitlab-token"))).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("gitlab", "my-gitlab-token", Request(Body, ("X-Gitlab-Token", "my-gitlab-tokeN"))).Outcome);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("gitlab", "my-gitlab-token", Request(Body, ("X-Gitlab-Token", new string('x', 5000)))).Outcome);
        Assert.Equal(WebhookOutcome.MissingSignature, Verify("gitlab", "my-gitlab-token", Request(Body)).Outcome);
    }

    [Fact]
    public void Twilio_json_body_is_checked_against_bodySHA256_and_the_url_signature()
    {
        const string json = """{"event":"sms","to":"+15551234567"}""";
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var url = new Uri($"https://hooks.example.test/sms?bodySHA256={bodyHash}");
        var signature = Convert.ToBase64String(Hmac(HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes("token"), url.OriginalString));
        var request = Request(url, "POST", Encoding.UTF8.GetBytes(json), ("Content-Type", "application/json"), ("X-Twilio-Signature", signature));

        Assert.True(Verify("twilio", "token", request).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("twilio", "token", request.WithBody(json.Replace("sms", "mms", StringComparison.Ordinal))).Outcome);
    }

    [Fact]
    public void Twilio_accepts_a_signature_made_over_the_url_with_its_default_port()
    {
        const string form = "Digits=42";
        var signature = Convert.ToBase64String(Hmac(
            HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes("token"), "https://hooks.example.test:443/voice?x=1" + "Digits42"));
        var request = Request(
            new Uri("https://hooks.example.test/voice?x=1"), "POST", Encoding.UTF8.GetBytes(form),
            ("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature));

        Assert.True(Verify("twilio", "token", request).IsVerified);
    }

    [Fact]
    public void Mailgun_reads_form_fields_too()
    {
        var t = Seconds(Now);
        var form = $"timestamp={t}&token=abc123&signature={HexSha256("mg-key", t + "abc123")}&event=delivered";

        Assert.True(Verify("mailgun", "mg-key", Request(form)).IsVerified);
        Assert.Equal(WebhookOutcome.MissingSignature, Verify("mailgun", "mg-key", Request("event=delivered")).Outcome);
    }

    [Fact]
    public void Mailgun_accepts_a_numeric_timestamp_in_json()
    {
        var t = Seconds(Now);
        var body = $$$"""{"signature":{"timestamp":{{{t}}},"token":"abc","signature":"{{{HexSha256("mg-key", t + "abc")}}}"}}""";

        Assert.True(Verify("mailgun", "mg-key", Request(body)).IsVerified);
    }

    [Fact]
    public void Linear_without_webhookTimestamp_is_malformed()
    {
        const string body = """{"action":"create"}""";

        Assert.Equal(WebhookOutcome.Malformed, Verify("linear", "k", Request(body, ("Linear-Signature", HexSha256("k", body)))).Outcome);
    }

    [Theory]
    [InlineData("sha256", "hex", "sha256=", null)]
    [InlineData("SHA512", "base64", null, null)]
    [InlineData("sha1", "hex", "", null)]
    [InlineData("sha256", "hex", "v1=", "X-Timestamp")]
    public void Generic_hmac_verifies_what_its_options_describe(string algorithm, string encoding, string? prefix, string? timestampHeader)
    {
        var provider = WebhookProviders.Generic(new GenericHmacOptions("X-Signature", algorithm, encoding, prefix, timestampHeader));
        using var secret = Secret("generic", Key);
        var name = algorithm.ToUpperInvariant() switch { "SHA1" => HashAlgorithmName.SHA1, "SHA512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        WebhookRequest Sign(DateTimeOffset at)
        {
            var signed = timestampHeader is null ? Body : $"{Seconds(at)}.{Body}";
            var mac = Hmac(name, Encoding.UTF8.GetBytes(Key), signed);
            var value = (prefix ?? "") + (encoding == "hex" ? Convert.ToHexStringLower(mac) : Convert.ToBase64String(mac));
            return timestampHeader is null ? Request(Body, ("X-Signature", value)) : Request(Body, ("X-Signature", value), (timestampHeader, Seconds(at)));
        }

        Assert.Equal("generic", provider.Name);
        Assert.True(provider.Verify(Sign(Now), secret, Now, TimeSpan.FromMinutes(5)).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, provider.Verify(Sign(Now).WithBody("other"), secret, Now, TimeSpan.FromMinutes(5)).Outcome);
        Assert.Equal(WebhookOutcome.MissingSignature, provider.Verify(Request(Body), secret, Now, TimeSpan.FromMinutes(5)).Outcome);
        Assert.Equal(WebhookOutcome.Malformed, provider.Verify(Sign(Now).WithHeader("X-Signature", "#"), secret, Now, TimeSpan.FromMinutes(5)).Outcome);
        if (timestampHeader is not null)
        {
            Assert.Equal(WebhookOutcome.StaleTimestamp, provider.Verify(Sign(Now.AddHours(-1)), secret, Now, TimeSpan.FromMinutes(5)).Outcome);
            Assert.Equal(WebhookOutcome.StaleTimestamp, provider.Verify(Sign(Now.AddHours(1)), secret, Now, TimeSpan.FromMinutes(5)).Outcome);
        }
    }

    [Theory]
    [InlineData("", "sha256", "hex")]
    [InlineData("X-Signature", "md5", "hex")]
    [InlineData("X-Signature", "sha256", "base32")]
    public void Generic_hmac_refuses_options_it_cannot_verify(string header, string algorithm, string encoding)
    {
        var options = new GenericHmacOptions(header, algorithm, encoding, null);

        Assert.False(WebhookProviders.TryCreateGeneric(options, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Throws<ArgumentException>(() => WebhookProviders.Generic(options));
    }
}
