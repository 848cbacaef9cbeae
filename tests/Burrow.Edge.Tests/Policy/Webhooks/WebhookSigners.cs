using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>A webhook delivery as its provider sends it: the raw body and the headers that sign it.</summary>
internal sealed record SignedDelivery(string Body, (string Name, string Value)[] Headers);

/// <summary>
/// How one provider signs a delivery, per its documentation, to <c>url</c> at a time, and how its payload is changed
/// after signing (tampering). Plain strings and one-shot HMACs, no Burrow types: the unit tests of the providers
/// (Burrow.Edge.Tests) and the end-to-end tests through the real executable (Burrow.EndToEnd.Tests) both sign with it.
/// </summary>
internal sealed record WebhookSigner(
    string Name,
    string Secret,
    string OtherSecret,
    Func<string, DateTimeOffset, Uri, SignedDelivery> Sign,
    Func<string, string> Tamper,
    bool Timestamped);

/// <summary>The signers of every provider; the generic <c>hmac</c> one, configurable, is not among them.</summary>
internal static class WebhookSigners
{
    public const string Body = """{"id":"evt_1","kind":"test","text":"héllo wörld"}""";
    public const string TextSecret = "It's a Secret to Everybody";
    public const string OtherTextSecret = "It's a Secret to Somebody";
    public const string WhsecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string OtherWhsecSecret = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdHM=";
    public const string TwilioForm = "CallSid=CA123&From=%2B15551234567&Body=Hello+there";

    public static IReadOnlyList<WebhookSigner> All { get; } = [.. Build()];

    public static WebhookSigner Get(string name) => All.Single(s => s.Name == name);

    public static string TamperBody(string body) => body.Replace("evt_1", "evt_2", StringComparison.Ordinal);

    public static byte[] Hmac(HashAlgorithmName algorithm, byte[] key, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        if (algorithm == HashAlgorithmName.SHA1)
        {
#pragma warning disable CA5350 // the providers' scheme
            return HMACSHA1.HashData(key, bytes);
#pragma warning restore CA5350
        }

        return algorithm == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, bytes) : HMACSHA256.HashData(key, bytes);
    }

    public static string HexSha256(string key, string data) => Convert.ToHexStringLower(Hmac(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(key), data));

    public static string Base64Sha256(string key, string data) => Convert.ToBase64String(Hmac(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(key), data));

    public static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Standard Webhooks (and Svix, Clerk, GitLab's signed webhooks): <c>{id}.{timestamp}.{body}</c>, base64 HMAC-SHA256 with the whsec_ key.</summary>
    public static (string Name, string Value)[] StandardHeaders(string prefix, string secret, DateTimeOffset at, string body, string id = "msg_2Kq0")
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var timestamp = Seconds(at);
        var signature = Convert.ToBase64String(Hmac(HashAlgorithmName.SHA256, key, $"{id}.{timestamp}.{body}"));
        return [(prefix + "id", id), (prefix + "timestamp", timestamp), (prefix + "signature", "v1," + signature)];
    }

    /// <summary>Zoom (and Slack's v0): <c>v0=</c> hex HMAC-SHA256 of <c>v0:{timestamp}:{body}</c>.</summary>
    public static (string Name, string Value)[] V0Headers(string signatureHeader, string timestampHeader, string secret, DateTimeOffset at, string body) =>
        [(timestampHeader, Seconds(at)), (signatureHeader, "v0=" + HexSha256(secret, $"v0:{Seconds(at)}:{body}"))];

    public static string MailgunBody(string timestamp, string token, string signature) =>
        $$$"""{"signature":{"timestamp":"{{{timestamp}}}","token":"{{{token}}}","signature":"{{{signature}}}"},"event-data":{"event":"delivered","id":"evt_1"}}""";

    public static SignedDelivery Linear(string secret, DateTimeOffset at)
    {
        var body = $$$"""{"action":"create","type":"Issue","data":{"id":"iss_1"},"webhookTimestamp":{{{at.ToUnixTimeMilliseconds()}}}}""";
        return new SignedDelivery(body, [("Linear-Signature", HexSha256(secret, body))]);
    }

    private static WebhookSigner BodyHmac(string name, string header, Func<string, string> sign) => new(
        name, TextSecret, OtherTextSecret, (secret, _, _) => new SignedDelivery(Body, [(header, sign(secret))]), TamperBody, Timestamped: false);

    private static WebhookSigner V0(string name, string signatureHeader, string timestampHeader) => new(
        name, TextSecret, OtherTextSecret,
        (secret, at, _) => new SignedDelivery(Body, V0Headers(signatureHeader, timestampHeader, secret, at, Body)),
        TamperBody,
        Timestamped: true);

    private static WebhookSigner Standard(string name, string prefix) => new(
        name, WhsecSecret, OtherWhsecSecret, (secret, at, _) => new SignedDelivery(Body, StandardHeaders(prefix, secret, at, Body)), TamperBody, Timestamped: true);

    private static IEnumerable<WebhookSigner> Build()
    {
        yield return BodyHmac("bitbucket", "X-Hub-Signature", s => "sha256=" + HexSha256(s, Body));
        yield return Standard("clerk", "svix-");
        yield return BodyHmac("github", "X-Hub-Signature-256", s => "sha256=" + HexSha256(s, Body));
        yield return Standard("gitlab", "webhook-");
        yield return BodyHmac("intercom", "X-Hub-Signature", s => "sha1=" + Convert.ToHexStringLower(Hmac(HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(s), Body)));
        yield return new WebhookSigner(
            "linear", "lin_wh_secret", "lin_wh_other", (secret, at, _) => Linear(secret, at),
            body => body.Replace("create", "remove", StringComparison.Ordinal), Timestamped: true);
        yield return new WebhookSigner(
            "mailgun", "key-mailgun-signing", "key-mailgun-other",
            (secret, at, _) => new SignedDelivery(MailgunBody(Seconds(at), "tok123", HexSha256(secret, Seconds(at) + "tok123")), []),
            body => body.Replace("tok123", "tok124", StringComparison.Ordinal),
            Timestamped: true);
        yield return BodyHmac("pagerduty", "X-PagerDuty-Signature", s => "v1=" + HexSha256(s, Body));
        yield return new WebhookSigner(
            "sendgrid", SendGridKeys.PublicKey, SendGridKeys.OtherPublicKey,
            // The "secret" is the public key; the delivery is signed with its private key.
            (secret, at, _) => new SignedDelivery(Body, [
                ("X-Twilio-Email-Event-Webhook-Timestamp", Seconds(at)),
                ("X-Twilio-Email-Event-Webhook-Signature", SendGridKeys.Sign(Seconds(at) + Body, other: secret == SendGridKeys.OtherPublicKey)),
            ]),
            TamperBody,
            Timestamped: true);
        yield return BodyHmac("sentry", "Sentry-Hook-Signature", s => HexSha256(s, Body));
        yield return BodyHmac("shopify", "X-Shopify-Hmac-Sha256", s => Base64Sha256(s, Body));
        yield return V0("slack", "X-Slack-Signature", "X-Slack-Request-Timestamp");
        yield return new WebhookSigner(
            "square", "sq0wss-signature-key", "sq0wss-other-key",
            (secret, _, url) => new SignedDelivery(Body, [("x-square-hmacsha256-signature", Base64Sha256(secret, url.OriginalString + Body))]),
            TamperBody,
            Timestamped: false);
        yield return Standard("standard_webhooks", "webhook-");
        yield return new WebhookSigner(
            "stripe", "whsec_stripe_test_secret", "whsec_stripe_other_secret",
            (secret, at, _) => new SignedDelivery(Body, [("Stripe-Signature", $"t={Seconds(at)},v1={HexSha256(secret, $"{Seconds(at)}.{Body}")}")]),
            TamperBody,
            Timestamped: true);
        yield return Standard("svix", "svix-");
        yield return new WebhookSigner(
            "twilio", "twilio-auth-token", "twilio-other-token",
            (secret, _, url) => new SignedDelivery(TwilioForm, [
                ("Content-Type", "application/x-www-form-urlencoded"),
                // The URL, then every form parameter sorted by name, as name + value.
                ("X-Twilio-Signature", Convert.ToBase64String(Hmac(
                    HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(secret), url.OriginalString + "BodyHello there" + "CallSidCA123" + "From+15551234567"))),
            ]),
            body => body.Replace("Hello+there", "Hello+where", StringComparison.Ordinal),
            Timestamped: false);
        yield return BodyHmac("typeform", "Typeform-Signature", s => "sha256=" + Base64Sha256(s, Body));
        yield return V0("zoom", "x-zm-signature", "x-zm-request-timestamp");
    }
}
