namespace Burrow.Edge.Policy.Webhooks;

// Spec: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// ("Verifying webhook authenticity"), and Svix's https://docs.svix.com/receiving/verifying-payloads/how-manual.
// {prefix}id, {prefix}timestamp (Unix seconds) and {prefix}signature: a space-separated list of
// "<version>,<signature>"; v1 is base64 HMAC-SHA256(base64-decoded "whsec_" secret, "{id}.{timestamp}.{raw body}").
// Other versions (v1a is the asymmetric ed25519 scheme) are skipped, as the spec's libraries do.

/// <summary>The Standard Webhooks scheme under one header prefix (<c>webhook-</c>, or Svix's <c>svix-</c>).</summary>
internal sealed class StandardWebhooksSignature
{
    private readonly string _idHeader;
    private readonly string _timestampHeader;
    private readonly string _signatureHeader;
    private readonly WebhookVerification _missing;
    private readonly WebhookVerification _malformedTimestamp;
    private readonly WebhookVerification _noSignature;
    private readonly WebhookVerification _unreadable;
    private readonly WebhookVerification _bad;
    private readonly WebhookVerification _stale;

    public StandardWebhooksSignature(string prefix)
    {
        _idHeader = prefix + "id";
        _timestampHeader = prefix + "timestamp";
        _signatureHeader = prefix + "signature";
        _missing = WebhookVerification.Missing($"missing {_idHeader}, {_timestampHeader} or {_signatureHeader} header");
        _malformedTimestamp = WebhookVerification.Malformed($"{_timestampHeader} is not a Unix time in seconds");
        _noSignature = WebhookVerification.Malformed($"{_signatureHeader} has no v1 signature");
        _unreadable = WebhookVerification.Malformed($"{_signatureHeader} v1 is not a base64 HMAC-SHA256");
        _bad = WebhookVerification.Bad($"no v1 signature in {_signatureHeader} matches the payload");
        _stale = WebhookVerification.Stale($"{_timestampHeader} is outside the allowed tolerance");
    }

    /// <summary>Whether the request carries this prefix's signature header, so a provider accepting two prefixes can pick one.</summary>
    public bool IsPresent(WebhookRequest request) => HeaderValues.Get(request.Headers, _signatureHeader) is not null;

    public WebhookVerification Missing => _missing;

    public WebhookVerification Verify(WebhookRequest request, ReadOnlySpan<byte> key, DateTimeOffset now, TimeSpan tolerance)
    {
        var id = HeaderValues.Get(request.Headers, _idHeader);
        var timestamp = HeaderValues.Get(request.Headers, _timestampHeader);
        var signatures = HeaderValues.Get(request.Headers, _signatureHeader);
        if (id is null || timestamp is null || signatures is null)
        {
            return _missing;
        }

        if (!Timestamps.TryParse(timestamp, out var seconds))
        {
            return _malformedTimestamp;
        }

        Span<byte> mac = stackalloc byte[HmacAlgorithms.MaxHashSize];
        int length;
        using (var hmac = Hmac.Start(HmacAlgorithm.Sha256, key))
        {
            hmac.AppendUtf8(id);
            hmac.AppendUtf8(".");
            hmac.AppendUtf8(timestamp);
            hmac.AppendUtf8(".");
            hmac.AppendData(request.Body.Span);
            length = hmac.GetHashAndReset(mac);
        }

        var tally = default(SignatureTally);
        var list = signatures.AsSpan();
        foreach (var range in list.Split(' '))
        {
            var entry = list[range].Trim();
            if (entry.IsEmpty)
            {
                continue;
            }

            var comma = entry.IndexOf(',');
            if (comma < 0)
            {
                tally.Add(SignatureMatch.Unreadable);
            }
            else if (entry[..comma].SequenceEqual("v1"))
            {
                tally.Add(Signatures.Check(entry[(comma + 1)..], SignatureEncoding.Base64, mac[..length]));
            }
        }

        if (!tally.Any)
        {
            return _noSignature;
        }

        var result = tally.Result(_bad, _unreadable);
        if (!result.IsVerified)
        {
            return result;
        }

        return Timestamps.IsFreshSeconds(seconds, now, tolerance) ? result : _stale;
    }
}
