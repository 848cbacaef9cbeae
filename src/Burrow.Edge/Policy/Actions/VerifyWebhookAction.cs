using System.Buffers;
using Burrow.Edge.Errors;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Policy.Variables;
using Burrow.Edge.Policy.Webhooks;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>verify-webhook</c>: checks the provider's signature over the raw body with <c>secret</c> before the request goes
/// on; a bad or missing signature, or a timestamp outside the replay window, → 403 ERR_BURROW_3103 (with
/// <c>enforce: false</c> only <c>actions.ngrok.verify_webhook.verified</c> is set). The body is read whole, at most
/// <c>max_body_size</c> (1 MiB) — past it 413 ERR_BURROW_3104 — then handed on unchanged. Challenges a provider sends
/// to prove the endpoint (Zoom's CRC) are answered here.
/// </summary>
internal sealed class VerifyWebhookAction : PolicyAction
{
    private const long DefaultMaxBody = 1024 * 1024;
    private readonly WebhookProvider _provider;
    private readonly WebhookSecret _secret;
    private readonly bool _enforce;
    private readonly long _maxBody;
    private readonly TimeSpan _tolerance;

    private VerifyWebhookAction(WebhookProvider provider, WebhookSecret secret, bool enforce, long maxBody, TimeSpan tolerance)
    {
        _provider = provider;
        _secret = secret;
        _enforce = enforce;
        _maxBody = maxBody;
        _tolerance = tolerance;
    }

    public override string Type => "verify-webhook";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("provider", "secret", "enforce", "max_body_size", "tolerance", "header", "algorithm", "encoding", "prefix", "timestamp_header");
        string? name = config.String("provider", required: true);
        string? secretText = config.String("secret", required: true);
        long maxBody = config.Integer("max_body_size", 1, 64L * 1024 * 1024) ?? DefaultMaxBody;
        if (name is null || secretText is null)
        {
            return null;
        }

        WebhookProvider? provider;
        if (name == "hmac")
        {
            string? header = config.String("header", required: true);
            provider = header is null ? null : WebhookProviders.Generic(new GenericHmacOptions(
                header, config.String("algorithm") ?? "sha256", config.String("encoding") ?? "hex", config.String("prefix"), config.String("timestamp_header")));
        }
        else if (!WebhookProviders.TryGet(name, out provider))
        {
            config.Error("provider", $"'{name}' is not a provider Burrow verifies; it knows hmac (generic), {string.Join(", ", WebhookProviders.Names.Order(StringComparer.Ordinal))}");
            return null;
        }
        else
        {
            foreach (string key in (string[])["header", "algorithm", "encoding", "prefix", "timestamp_header"])
            {
                if (config.Has(key))
                {
                    config.Error(key, $"'{key}' is for the generic provider (provider: hmac), not {name}");
                }
            }
        }

        if (provider is null)
        {
            return null;
        }

        if (!WebhookSecret.TryParse(provider.Name, secretText, out WebhookSecret? secret, out string? problem))
        {
            config.Error("secret", problem ?? "the secret cannot be used");
            return null;
        }

        TimeSpan tolerance = config.Duration("tolerance", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)) ?? provider.DefaultTolerance;
        return new VerifyWebhookAction(provider, secret!, config.Boolean("enforce") ?? true, maxBody, tolerance);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        HttpContext http = context.Http!;
        HttpRequest request = http.Request;
        if (request.ContentLength > _maxBody)
        {
            await TooLargeAsync(http).ConfigureAwait(false);
            return ActionResult.Stop;
        }

        byte[]? body = await ReadBodyAsync(request, _maxBody, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await TooLargeAsync(http).ConfigureAwait(false);
            return ActionResult.Stop;
        }

        // The agent gets the very bytes that were verified.
        request.Body = new MemoryStream(body, writable: false);
        var webhook = new WebhookRequest(request.Method, new Uri(UrlPattern.UrlOf(request)), request.Headers, body);
        if (_provider.TryAnswerChallenge(webhook, _secret, out WebhookChallengeAnswer answer))
        {
            http.Response.StatusCode = answer.StatusCode;
            http.Response.ContentType = answer.ContentType;
            await http.Response.Body.WriteAsync(answer.Body, http.RequestAborted).ConfigureAwait(false);
            return ActionResult.Stop;
        }

        WebhookVerification verification = _provider.Verify(webhook, _secret, context.Tunnel.Session.Time.GetUtcNow(), _tolerance);
        var result = new ResultMap().Set("verified", verification.IsVerified).Set("provider", _provider.Name);
        if (!verification.IsVerified)
        {
            result.Set("error", new ResultMap().Set("code", ErrorCodes.WebhookVerificationFailed.Code).Set("message", Reason(verification)));
        }

        context.SetResult(ResultName, result);
        if (verification.IsVerified || !_enforce)
        {
            return ActionResult.Continue;
        }

        await ErrorResponder.WriteAsync(http, ErrorCodes.WebhookVerificationFailed,
            ErrorCodes.WebhookVerificationFailed.FormatMessage(_provider.Name, Reason(verification))).ConfigureAwait(false);
        return ActionResult.Stop;
    }

    private static string Reason(WebhookVerification verification) => verification.Detail ?? verification.Outcome switch
    {
        WebhookOutcome.MissingSignature => "the signature header is missing",
        WebhookOutcome.StaleTimestamp => "the timestamp is outside the replay window",
        WebhookOutcome.Malformed => "the signature header is malformed",
        _ => "the signature does not match the body",
    };

    private Task TooLargeAsync(HttpContext http) =>
        ErrorResponder.WriteAsync(http, ErrorCodes.PolicyBodyTooLarge, ErrorCodes.PolicyBodyTooLarge.FormatMessage("verify-webhook", _maxBody));

    /// <summary>The whole body, or <see langword="null"/> once it passes <paramref name="limit"/> (nothing more is read).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        int expected = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expected, 1024));
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit + 1)
                    {
                        return null;
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await request.Body.ReadAsync(buffer.AsMemory(length, (int)Math.Min(buffer.Length - length, limit + 1 - length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
