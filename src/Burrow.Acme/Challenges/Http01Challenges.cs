using System.Buffers.Text;
using System.Collections.Concurrent;

namespace Burrow.Acme.Challenges;

/// <summary>
/// HTTP-01 (RFC 8555 section 8.3): the edge's port-80 listener answers
/// <c>GET /.well-known/acme-challenge/{token}</c> with the key authorization, for any Host, before tunnel routing.
/// Tokens are the CA's random values, so one table serves every name. With a <see cref="IChallengeShare"/>, answers
/// are published to it too, and a token not held here is looked up there (another edge's order).
/// </summary>
internal sealed class Http01Challenges(IChallengeShare? share = null) : IChallengeSolver
{
    /// <summary>The path prefix the CA requests.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private const string Type = "http-01";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public string ChallengeType => Type;

    public bool CanSolve(string name, bool wildcard) => !wildcard;

    /// <summary>The body to answer a request for <paramref name="path"/> with, when this edge holds its challenge.</summary>
    public bool TryAnswer(string? path, out string keyAuthorization)
    {
        keyAuthorization = "";
        return path is not null && path.StartsWith(PathPrefix, StringComparison.Ordinal)
            && _answers.TryGetValue(path[PathPrefix.Length..], out keyAuthorization!);
    }

    /// <summary>
    /// The body for <paramref name="path"/>: this edge's answer, else one another edge published. Only a path that
    /// could be a token (base64url, RFC 8555 section 8.3) is looked up, so scanners' paths never reach the share.
    /// </summary>
    public async ValueTask<string?> FindAsync(string? path, CancellationToken cancellationToken)
    {
        if (TryAnswer(path, out string keyAuthorization))
        {
            return keyAuthorization;
        }

        if (share is null || path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal) || !CouldBeToken(path.AsSpan(PathPrefix.Length)))
        {
            return null;
        }

        IReadOnlyList<string> published = await share.FindAsync(Type, path[PathPrefix.Length..], cancellationToken).ConfigureAwait(false);
        return published.Count > 0 ? published[0] : null;
    }

    public async ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        _answers[token] = keyAuthorization;
        if (share is not null)
        {
            await share.PublishAsync(Type, token, keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        _answers.TryRemove(token, out _);
        if (share is not null)
        {
            await share.WithdrawAsync(Type, token, keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    // At least 128 bits of base64url (22 characters), and no longer than any CA sends.
    private static bool CouldBeToken(ReadOnlySpan<char> token) =>
        token.Length is >= 22 and <= 256 && Base64Url.IsValid(token);
}
