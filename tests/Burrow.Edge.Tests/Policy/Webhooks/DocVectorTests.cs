using System.Text;
using Burrow.Edge.Policy.Webhooks;
using static Burrow.Edge.Tests.Policy.Webhooks.WebhookKit;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>Vectors published by the providers themselves (docs, spec, or their own libraries' fixtures), not computed here.</summary>
public sealed class DocVectorTests
{
    [Fact]
    public void GitHub_vector_from_the_docs_verifies()
    {
        // docs.github.com "Validating webhook deliveries", "Testing the webhook payload validation".
        var request = Request("Hello, World!", ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));

        Assert.True(Verify("github", "It's a Secret to Everybody", request).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("github", "It's a Secret to Everybody", request.WithBody("Hello, World?")).Outcome);
    }

    [Fact]
    public void Slack_worked_example_from_the_docs_verifies()
    {
        // api.slack.com/authentication/verifying-requests-from-slack, the walk-through's values.
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        var request = Request(
            body,
            ("X-Slack-Request-Timestamp", "1531420618"),
            ("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"));

        Assert.True(Verify("slack", "8f742231b10e8888abcd99yyyzzz85a5", request, DateTimeOffset.FromUnixTimeSeconds(1531420618)).IsVerified);
        Assert.Equal(WebhookOutcome.StaleTimestamp, Verify("slack", "8f742231b10e8888abcd99yyyzzz85a5", request, Now).Outcome);
    }

    [Theory]
    [InlineData("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")] // twilio.com/docs/security (older page) and twilio-php's validation docs
    [InlineData("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")] // twilio.com/docs/usage/webhooks/webhooks-security
    public void Twilio_example_from_the_docs_verifies(string caller, string signature)
    {
        var encodedCaller = Uri.EscapeDataString(caller);
        var body = $"CallSid=CA1234567890ABCDE&Caller={encodedCaller}&Digits=1234&From={encodedCaller}&To=%2B18005551212";
        var request = Request(
            new Uri("https://mycompany.com/myapp.php?foo=1&bar=2"), "POST", Encoding.UTF8.GetBytes(body),
            ("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature));

        Assert.True(Verify("twilio", "12345", request).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("twilio", "12345", request.WithBody(body.Replace("1234&", "1235&", StringComparison.Ordinal))).Outcome);
    }

    [Fact]
    public void Standard_webhooks_spec_vector_verifies_for_svix_and_standard_webhooks()
    {
        // The Standard Webhooks spec's libraries' shared test vector (also Svix's docs example).
        var at = DateTimeOffset.FromUnixTimeSeconds(1614265330);
        foreach (var (provider, prefix) in new[] { ("standard_webhooks", "webhook-"), ("svix", "svix-"), ("svix", "webhook-") })
        {
            var request = Request(
                """{"test": 2432232314}""",
                (prefix + "id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
                (prefix + "timestamp", "1614265330"),
                (prefix + "signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));

            Assert.True(Verify(provider, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", request, at).IsVerified, provider + prefix);
        }
    }

    [Fact]
    public void Square_example_from_the_docs_verifies()
    {
        // developer.squareup.com/docs/webhooks/step3validate sample: key asdf1234, URL https://example.com/webhook.
        var request = Request(
            new Uri("https://example.com/webhook"), "POST", Encoding.UTF8.GetBytes("""{"hello":"world"}"""),
            ("x-square-hmacsha256-signature", "2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og="));

        Assert.True(Verify("square", "asdf1234", request).IsVerified);
        Assert.Equal(WebhookOutcome.BadSignature, Verify("square", "asdf1234", request with { Url = new Uri("https://example.com/webhook2") }).Outcome);
    }

    [Fact]
    public void SendGrid_vector_from_its_libraries_verifies()
    {
        // The fixture sendgrid-csharp, -nodejs, -java, -ruby and -go test their EventWebhook helper with.
        const string publicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
        var request = Request(
            """{"category":"example_payload","event":"test_event","message_id":"message_id"}""",
            ("X-Twilio-Email-Event-Webhook-Signature", "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0="),
            ("X-Twilio-Email-Event-Webhook-Timestamp", "1588788367"));
        var at = DateTimeOffset.FromUnixTimeSeconds(1588788367);

        Assert.True(Verify("sendgrid", publicKey, request, at).IsVerified);
        Assert.Equal(
            WebhookOutcome.BadSignature,
            Verify("sendgrid", publicKey, request.WithHeader("X-Twilio-Email-Event-Webhook-Signature", "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0="), at).Outcome);
        Assert.Equal(
            WebhookOutcome.BadSignature,
            Verify("sendgrid", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==", request, at).Outcome);
    }
}
