using Burrow.Edge.Policy.Webhooks;

namespace Burrow.Edge.Tests.Policy.Webhooks;

public sealed class WebhookSecretTests
{
    [Theory]
    [InlineData("svix", "whsec_not*base64!")]
    [InlineData("svix", "whsec_=")]
    [InlineData("standard_webhooks", "plain text secret")]
    [InlineData("clerk", "whsec_@@@@")]
    [InlineData("gitlab", "whsec_%%%")]
    [InlineData("sendgrid", "not base64 at all")]
    [InlineData("sendgrid", "aGVsbG8gd29ybGQ=")]
    [InlineData("github", "")]
    [InlineData("nosuchprovider", "secret")]
    public void Secrets_a_provider_cannot_use_are_refused_with_a_reason(string provider, string secret)
    {
        Assert.False(WebhookSecret.TryParse(provider, secret, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.False(string.IsNullOrWhiteSpace(error));
        if (secret.Length > 0)
        {
            Assert.DoesNotContain(secret, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SendGrid_refuses_a_public_key_on_another_curve()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        var key = Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo());

        Assert.False(WebhookSecret.TryParse("sendgrid", key, out _, out var error));
        Assert.Contains("P-256", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("svix", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("svix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("gitlab", "plain-token")]
    [InlineData("gitlab", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("stripe", "whsec_anything goes, Stripe keys the HMAC with the whole string")]
    [InlineData("generic", "any text")]
    [InlineData("GitHub", "any text")]
    public void Usable_secrets_parse(string provider, string secret)
    {
        Assert.True(WebhookSecret.TryParse(provider, secret, out var parsed, out var error), error);
        using (parsed)
        {
            Assert.NotNull(parsed);
            Assert.Null(error);
            Assert.DoesNotContain(secret, parsed.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parsing_for_a_provider_instance_uses_its_secret_form()
    {
        Assert.True(WebhookProviders.TryGet("svix", out var svix));

        Assert.False(WebhookSecret.TryParse(svix, "not base64 !", out _, out _));
        Assert.True(WebhookSecret.TryParse(WebhookProviders.Generic(new GenericHmacOptions("X-Sig", "sha256", "hex", null)), "not base64 !", out var parsed, out _));
        parsed!.Dispose();
    }
}
