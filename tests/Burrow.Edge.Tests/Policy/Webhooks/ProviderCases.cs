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

/// <summary>The signers of <see cref="WebhookSigners"/> (shared with the end-to-end tests) as requests to <see cref="WebhookKit.DefaultUrl"/>, plus how to strip and garble each.</summary>
internal static class ProviderCases
{
    public const string Body = WebhookSigners.Body;
    public const string TextSecret = WebhookSigners.TextSecret;
    public const string WhsecSecret = WebhookSigners.WhsecSecret;

    private static readonly Dictionary<string, ProviderCase> ByName = WebhookSigners.All.Select(Case).ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static ProviderCase Get(string name) => ByName[name];

    public static (string Name, string Value)[] StandardHeaders(string prefix, string secret, DateTimeOffset at, string body, string id = "msg_2Kq0") =>
        WebhookSigners.StandardHeaders(prefix, secret, at, body, id);

    private static ProviderCase Case(WebhookSigner signer)
    {
        (Func<WebhookRequest, WebhookRequest> remove, Func<WebhookRequest, WebhookRequest> malform) = Garbling(signer.Name);
        return new ProviderCase(
            signer.Name, signer.Secret, signer.OtherSecret,
            (secret, at) =>
            {
                SignedDelivery delivery = signer.Sign(secret, at, DefaultUrl);
                return Request(DefaultUrl, "POST", System.Text.Encoding.UTF8.GetBytes(delivery.Body), delivery.Headers);
            },
            r => r.WithBody(signer.Tamper(r.BodyText())),
            remove, malform, signer.Timestamped);
    }

    private static (Func<WebhookRequest, WebhookRequest> Remove, Func<WebhookRequest, WebhookRequest> Malform) Garbling(string name) => name switch
    {
        "github" => Header("X-Hub-Signature-256", "sha256=zz"),
        "shopify" => Header("X-Shopify-Hmac-Sha256", "***"),
        "typeform" => Header("Typeform-Signature", "sha256=***"),
        "intercom" => Header("X-Hub-Signature", "md5=abc"),
        "bitbucket" => Header("X-Hub-Signature", "sha256=0123"),
        "sentry" => Header("Sentry-Hook-Signature", "xyz"),
        "pagerduty" => Header("X-PagerDuty-Signature", "v1=nothex,v1="),
        "slack" => Header("X-Slack-Signature", "v0=not-hex"),
        "zoom" => Header("x-zm-signature", "v0=not-hex"),
        "svix" or "clerk" => Header("svix-signature", "v1,@@not base64@@"),
        "standard_webhooks" or "gitlab" => Header("webhook-signature", "v1,@@not base64@@"),
        "stripe" => Header("Stripe-Signature", $"t={WebhookSigners.Seconds(Now)},v1=xyz"),
        "square" => Header("x-square-hmacsha256-signature", "not base64!"),
        "twilio" => Header("X-Twilio-Signature", "!!!!"),
        "sendgrid" => Header("X-Twilio-Email-Event-Webhook-Signature", "MEUCIQ=="),
        "linear" => Header("Linear-Signature", "abc"),
        "mailgun" => (
            r => r.WithBody("""{"event-data":{"event":"delivered"}}"""),
            r => r.WithBody(WebhookSigners.MailgunBody(WebhookSigners.Seconds(Now), "tok123", "nothex"))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "a provider without a case here"),
    };

    private static (Func<WebhookRequest, WebhookRequest>, Func<WebhookRequest, WebhookRequest>) Header(string header, string garbage) =>
        (r => r.WithoutHeader(header), r => r.WithHeader(header, garbage));
}
