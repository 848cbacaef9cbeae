namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// Folds the signatures of a header that carries several (Stripe's v1= entries during secret rotation,
/// Svix's space-separated list, PagerDuty's comma list): one match verifies; otherwise a readable
/// signature makes the request a bad signature, and only unreadable ones make it malformed.
/// </summary>
internal struct SignatureTally
{
    private bool _matched;
    private bool _readable;
    private bool _any;

    public readonly bool Matched => _matched;

    public readonly bool Any => _any;

    public void Add(SignatureMatch match)
    {
        _any = true;
        _matched |= match == SignatureMatch.Match;
        _readable |= match != SignatureMatch.Unreadable;
    }

    public readonly WebhookVerification Result(WebhookVerification bad, WebhookVerification malformed) =>
        _matched ? WebhookVerification.Verified : _readable ? bad : malformed;
}
