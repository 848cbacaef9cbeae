using System.Security.Cryptography;
using System.Text;
using Burrow.Edge.Policy.Webhooks;
using static Burrow.Edge.Tests.Policy.Webhooks.WebhookKit;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>How to sign, tamper with, strip and garble a request for one provider, per its documentation.</summary>
internal sealed record ProviderCase(
    string Name,
    string Secret,
    string OtherSecret,
    Func<string, DateTimeOffset, WebhookRequest> Sign,
    Func<WebhookRequest, WebhookRequest> Tamper,
    Func<WebhookRequest, WebhookRequest> RemoveSignature,
    Func<WebhookRequest, WebhookRequest> Malform,
    bool Timestamped);

internal static class ProviderCases
{
    public const string Body = """{"id":"evt_1","kind":"test","text":"héllo wörld"}""";
    public const string TextSecret = "It's a Secret to Everybody";
    public const string OtherTextSecret = "It's a Secret to Somebody";
    public const string WhsecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string OtherWhsecSecret = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdHM=";

    private static readonly Dictionary<string, ProviderCase> ByName = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static ProviderCase Get(string name) => ByName[name];

    public static WebhookRequest TamperBody(WebhookRequest request) => request.WithBody(request.BodyText().Replace("evt_1", "evt_2", StringComparison.Ordinal));

    public static (string Name, string Value)[] StandardHeaders(string prefix, string secret, DateTimeOffset at, string body, string id = "msg_2Kq0")
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(Hmac(HashAlgorithmName.SHA256, key, $"{id}.{timestamp}.{body}"));
        return [(prefix + "id", id), (prefix + "timestamp", timestamp), (prefix + "signature", "v1," + signature)];
    }

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ProviderCase BodyHmac(string name, string header, Func<string, string> sign, string garbage) => new(
        name, TextSecret, OtherTextSecret,
        (secret, _) => Request(Body, (header, sign(secret))),
        TamperBody,
        r => r.WithoutHeader(header),
        r => r.WithHeader(header, garbage),
        Timestamped: false);

    private static ProviderCase V0(string name, string signatureHeader, string timestampHeader) => new(
        name, TextSecret, OtherTextSecret,
        (secret, at) => Request(Body, (timestampHeader, Seconds(at)), (signatureHeader, "v0=" + HexSha256(secret, $"v0:{Seconds(at)}:{Body}"))),
        TamperBody,
        r => r.WithoutHeader(signatureHeader),
        r => r.WithHeader(signatureHeader, "v0=not-hex"),
        Timestamped: true);

    private static ProviderCase Standard(string name, string prefix) => new(
        name, WhsecSecret, OtherWhsecSecret,
        (secret, at) => Request(Body, StandardHeaders(prefix, secret, at, Body)),
        TamperBody,
        r => r.WithoutHeader(prefix + "signature"),
        r => r.WithHeader(prefix + "signature", "v1,@@not base64@@"),
        Timestamped: true);

    private static IEnumerable<ProviderCase> Build()
    {
        yield return BodyHmac("github", "X-Hub-Signature-256", s => "sha256=" + HexSha256(s, Body), "sha256=zz");
        yield return BodyHmac("shopify", "X-Shopify-Hmac-Sha256", s => Base64Sha256(s, Body), "***");
        yield return BodyHmac("typeform", "Typeform-Signature", s => "sha256=" + Base64Sha256(s, Body), "sha256=***");
        yield return BodyHmac(
            "intercom", "X-Hub-Signature", s => "sha1=" + Convert.ToHexStringLower(Hmac(HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(s), Body)), "md5=abc");
        yield return BodyHmac("bitbucket", "X-Hub-Signature", s => "sha256=" + HexSha256(s, Body), "sha256=0123");
        yield return BodyHmac("sentry", "Sentry-Hook-Signature", s => HexSha256(s, Body), "xyz");
        yield return BodyHmac("pagerduty", "X-PagerDuty-Signature", s => "v1=" + HexSha256(s, Body), "v1=nothex,v1=");
        yield return V0("slack", "X-Slack-Signature", "X-Slack-Request-Timestamp");
        yield return V0("zoom", "x-zm-signature", "x-zm-request-timestamp");
        yield return Standard("svix", "svix-");
        yield return Standard("clerk", "svix-");
        yield return Standard("standard_webhooks", "webhook-");
        yield return Standard("gitlab", "webhook-") with { RemoveSignature = r => r.WithoutHeader("webhook-signature") };

        yield return new ProviderCase(
            "stripe", "whsec_stripe_test_secret", "whsec_stripe_other_secret",
            (secret, at) => Request(Body, ("Stripe-Signature", $"t={Seconds(at)},v1={HexSha256(secret, $"{Seconds(at)}.{Body}")}")),
            TamperBody,
            r => r.WithoutHeader("Stripe-Signature"),
            r => r.WithHeader("Stripe-Signature", $"t={Seconds(Now)},v1=xyz"),
            Timestamped: true);

        yield return new ProviderCase(
            "square", "sq0wss-signature-key", "sq0wss-other-key",
            (secret, _) => Request(Body, ("x-square-hmacsha256-signature", Base64Sha256(secret, DefaultUrl.OriginalString + Body))),
            TamperBody,
            r => r.WithoutHeader("x-square-hmacsha256-signature"),
            r => r.WithHeader("x-square-hmacsha256-signature", "not base64!"),
            Timestamped: false);

        const string form = "CallSid=CA123&From=%2B15551234567&Body=Hello+there";
        yield return new ProviderCase(
            "twilio", "twilio-auth-token", "twilio-other-token",
            (secret, _) => Request(
                DefaultUrl, "POST", Encoding.UTF8.GetBytes(form),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", Convert.ToBase64String(Hmac(
                    HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(secret),
                    DefaultUrl.OriginalString + "BodyHello there" + "CallSidCA123" + "From+15551234567")))),
            r => r.WithBody(form.Replace("Hello+there", "Hello+where", StringComparison.Ordinal)),
            r => r.WithoutHeader("X-Twilio-Signature"),
            r => r.WithHeader("X-Twilio-Signature", "!!!!"),
            Timestamped: false);

        yield return new ProviderCase(
            "sendgrid", SendGridKeys.PublicKey, SendGridKeys.OtherPublicKey,
            (_, at) => Request(
                Body,
                ("X-Twilio-Email-Event-Webhook-Timestamp", Seconds(at)),
                ("X-Twilio-Email-Event-Webhook-Signature", SendGridKeys.Sign(Seconds(at) + Body))),
            TamperBody,
            r => r.WithoutHeader("X-Twilio-Email-Event-Webhook-Signature"),
            r => r.WithHeader("X-Twilio-Email-Event-Webhook-Signature", "MEUCIQ=="),
            Timestamped: true);

        yield return new ProviderCase(
            "mailgun", "key-mailgun-signing", "key-mailgun-other",
            (secret, at) => Request(MailgunBody(Seconds(at), "tok123", HexSha256(secret, Seconds(at) + "tok123"))),
            r => r.WithBody(r.BodyText().Replace("tok123", "tok124", StringComparison.Ordinal)),
            r => r.WithBody("""{"event-data":{"event":"delivered"}}"""),
            r => r.WithBody(MailgunBody(Seconds(Now), "tok123", "nothex")),
            Timestamped: true);

        yield return new ProviderCase(
            "linear", "lin_wh_secret", "lin_wh_other",
            (secret, at) => LinearRequest(secret, at),
            r => r.WithBody(r.BodyText().Replace("create", "remove", StringComparison.Ordinal)),
            r => r.WithoutHeader("Linear-Signature"),
            r => r.WithHeader("Linear-Signature", "abc"),
            Timestamped: true);
    }

    public static string MailgunBody(string timestamp, string token, string signature) =>
        $$$"""{"signature":{"timestamp":"{{{timestamp}}}","token":"{{{token}}}","signature":"{{{signature}}}"},"event-data":{"event":"delivered","id":"evt_1"}}""";

    public static WebhookRequest LinearRequest(string secret, DateTimeOffset at)
    {
        var body = $$$"""{"action":"create","type":"Issue","data":{"id":"iss_1"},"webhookTimestamp":{{{at.ToUnixTimeMilliseconds()}}}}""";
        return Request(body, ("Linear-Signature", HexSha256(secret, body)));
    }
}
