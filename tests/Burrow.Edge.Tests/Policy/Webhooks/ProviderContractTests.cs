using Burrow.Edge.Policy.Webhooks;
using static Burrow.Edge.Tests.Policy.Webhooks.WebhookKit;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>The behaviour every provider shares, run against each provider's documented scheme.</summary>
public sealed class ProviderContractTests
{
    public static TheoryData<string> All => [.. ProviderCases.Names];

    public static TheoryData<string> WithTimestamps => [.. ProviderCases.Names.Where(name => ProviderCases.Get(name).Timestamped)];

    [Fact]
    public void Names_each_have_a_provider_with_that_name_and_a_case_here()
    {
        Assert.NotEmpty(WebhookProviders.Names);
        foreach (var name in WebhookProviders.Names)
        {
            Assert.True(WebhookProviders.TryGet(name, out var provider), name);
            Assert.Equal(name, provider.Name);
            Assert.Contains(name, ProviderCases.Names);
        }

        Assert.Equal(WebhookProviders.Names.Order(StringComparer.Ordinal), WebhookProviders.Names);
        Assert.Equal(ProviderCases.Names.Order(StringComparer.Ordinal), WebhookProviders.Names);
    }

    [Fact]
    public void Names_include_the_providers_ngrok_documents_that_were_asked_for()
    {
        string[] required =
        [
            "github", "gitlab", "stripe", "slack", "shopify", "twilio", "sendgrid", "svix", "zoom", "mailgun",
            "square", "linear", "pagerduty", "typeform", "intercom",
        ];
        Assert.All(required, name => Assert.Contains(name, WebhookProviders.Names));
    }

    [Fact]
    public void TryGet_ignores_case_and_refuses_unknown_names()
    {
        Assert.True(WebhookProviders.TryGet("GitHub", out var provider));
        Assert.Equal("github", provider.Name);
        Assert.False(WebhookProviders.TryGet("nosuchprovider", out _));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Valid_signature_verifies(string name)
    {
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.Secret, c.Sign(c.Secret, Now));

        Assert.Equal(WebhookOutcome.Verified, result.Outcome);
        Assert.True(result.IsVerified);
        Assert.Null(result.Detail);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Wrong_secret_is_a_bad_signature(string name)
    {
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.OtherSecret, c.Sign(c.Secret, Now));

        Assert.Equal(WebhookOutcome.BadSignature, result.Outcome);
        Assert.False(result.IsVerified);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Tampered_payload_is_a_bad_signature(string name)
    {
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.Secret, c.Tamper(c.Sign(c.Secret, Now)));

        Assert.Equal(WebhookOutcome.BadSignature, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Missing_signature_is_missing(string name)
    {
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.Secret, c.RemoveSignature(c.Sign(c.Secret, Now)));

        Assert.Equal(WebhookOutcome.MissingSignature, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Malformed_signature_is_malformed(string name)
    {
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.Secret, c.Malform(c.Sign(c.Secret, Now)));

        Assert.Equal(WebhookOutcome.Malformed, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Detail_never_contains_the_secret_or_the_expected_signature(string name)
    {
        var c = ProviderCases.Get(name);
        var signed = c.Sign(c.Secret, Now);
        var requests = new[] { c.Tamper(signed), c.RemoveSignature(signed), c.Malform(signed), signed };

        foreach (var request in requests)
        {
            var detail = Verify(name, c.OtherSecret, request).Detail ?? "";
            Assert.DoesNotContain(c.Secret, detail, StringComparison.Ordinal);
            Assert.DoesNotContain(c.OtherSecret, detail, StringComparison.Ordinal);
            foreach (var (_, values) in signed.Headers)
            {
                var value = values.ToString();
                if (value.Length >= 16)
                {
                    Assert.DoesNotContain(value, detail, StringComparison.Ordinal);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(WithTimestamps))]
    public void Timestamp_older_than_the_tolerance_is_stale(string name)
    {
        var c = ProviderCases.Get(name);
        var tolerance = Provider(name).DefaultTolerance;

        var result = Verify(name, c.Secret, c.Sign(c.Secret, Now - tolerance - TimeSpan.FromSeconds(5)));

        Assert.Equal(WebhookOutcome.StaleTimestamp, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(WithTimestamps))]
    public void Timestamp_further_in_the_future_than_the_tolerance_is_stale(string name)
    {
        var c = ProviderCases.Get(name);
        var tolerance = Provider(name).DefaultTolerance;

        var result = Verify(name, c.Secret, c.Sign(c.Secret, Now + tolerance + TimeSpan.FromSeconds(5)));

        Assert.Equal(WebhookOutcome.StaleTimestamp, result.Outcome);
    }

    [Theory]
    [MemberData(nameof(WithTimestamps))]
    public void Timestamp_inside_the_tolerance_either_way_verifies(string name)
    {
        var c = ProviderCases.Get(name);
        var inside = Provider(name).DefaultTolerance - TimeSpan.FromSeconds(5);

        Assert.True(Verify(name, c.Secret, c.Sign(c.Secret, Now - inside)).IsVerified);
        Assert.True(Verify(name, c.Secret, c.Sign(c.Secret, Now + inside)).IsVerified);
    }

    [Theory]
    [MemberData(nameof(WithTimestamps))]
    public void Stale_but_forged_request_is_a_bad_signature_not_stale(string name)
    {
        // A stale verdict says "genuine but late"; a forgery must not earn it.
        var c = ProviderCases.Get(name);

        var result = Verify(name, c.OtherSecret, c.Sign(c.Secret, Now - TimeSpan.FromHours(2)));

        Assert.Equal(WebhookOutcome.BadSignature, result.Outcome);
    }

    public static TheoryData<string, string> GarbageHeaders()
    {
        string[] garbage =
        [
            "", " ", ",", "=", "v1=", "v0=", "t=", "t=,v1=", "t=1,v1=", "v1,", "v1, v1,", "sha256=", "sha1=",
            "t=99999999999999999999,v1=00", "-1", "9223372036854775807", "é", "\u0000", "%%%%", "MEUCIQ", new string('a', 20_000),
            new string('0', 64), "v1=" + new string('0', 64), "v1," + new string('A', 44),
        ];
        var data = new TheoryData<string, string>();
        foreach (var name in ProviderCases.Names)
        {
            foreach (var value in garbage)
            {
                data.Add(name, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GarbageHeaders))]
    public void Garbage_in_any_signed_header_is_refused_without_throwing(string name, string garbage)
    {
        var c = ProviderCases.Get(name);
        var signed = c.Sign(c.Secret, Now);

        foreach (var header in signed.Headers.Keys.ToArray())
        {
            var result = Verify(name, c.Secret, signed.WithHeader(header, garbage));

            if (header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Assert.False(result.IsVerified, $"{header}: {garbage}");
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Garbage_bodies_are_refused_without_throwing(string name)
    {
        var c = ProviderCases.Get(name);
        var signed = c.Sign(c.Secret, Now);
        string[] bodies = ["", "{", "[]", "null", "{\"signature\":[1,2]}", "{\"signature\":{\"timestamp\":{}}}", "a=%zz&b", "\uFFFD\uFFFD", new string('{', 5000)];

        foreach (var body in bodies)
        {
            Assert.False(Verify(name, c.Secret, signed.WithBody(body)).IsVerified, body);
        }
    }
}
