namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// One provider's signature scheme. Implementations are stateless and thread-safe: one instance serves
/// every tunnel, and the per-tunnel state is the <see cref="WebhookSecret"/>.
/// </summary>
public abstract class WebhookProvider
{
    /// <summary>ngrok's provider id, e.g. <c>github</c>, <c>stripe</c>, <c>svix</c>.</summary>
    public abstract string Name { get; }

    /// <summary>How far a signed timestamp may be from now, in either direction, when the policy sets none.</summary>
    public virtual TimeSpan DefaultTolerance => TimeSpan.FromMinutes(5);

    /// <summary>What form of secret this provider needs; <see cref="WebhookSecret.TryParse(WebhookProvider, string, out WebhookSecret?, out string?)"/> reads it so.</summary>
    internal virtual WebhookSecretKind SecretKind => WebhookSecretKind.Text;

    /// <summary>
    /// Checks the request's signature. Never throws for anything the sender controls: a header that
    /// cannot be read is <see cref="WebhookOutcome.Malformed"/>.
    /// </summary>
    /// <param name="request">The delivery, body buffered.</param>
    /// <param name="secret">The secret parsed for this provider.</param>
    /// <param name="now">The current time (from the edge's <see cref="TimeProvider"/>).</param>
    /// <param name="tolerance">How far a signed timestamp may be from <paramref name="now"/>, in either direction.</param>
    public abstract WebhookVerification Verify(WebhookRequest request, WebhookSecret secret, DateTimeOffset now, TimeSpan tolerance);

    /// <summary>
    /// Answers the provider's endpoint-verification challenge (Zoom's <c>endpoint.url_validation</c>) at the
    /// edge. Call it after <see cref="Verify"/> returned verified; a provider whose challenge is signed checks
    /// that signature here too, because the answer is an HMAC made with the secret and must never be handed
    /// to an unsigned request.
    /// </summary>
    /// <returns>True when the request is such a challenge and <paramref name="answer"/> is the response to send.</returns>
    public virtual bool TryAnswerChallenge(WebhookRequest request, WebhookSecret secret, out WebhookChallengeAnswer answer)
    {
        answer = default;
        return false;
    }
}
