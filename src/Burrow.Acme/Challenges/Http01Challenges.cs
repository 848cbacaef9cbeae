using System.Collections.Concurrent;

namespace Burrow.Acme.Challenges;

/// <summary>
/// HTTP-01 (RFC 8555 section 8.3): the edge's port-80 listener answers
/// <c>GET /.well-known/acme-challenge/{token}</c> with the key authorization, for any Host, before tunnel routing.
/// Tokens are the CA's random values, so one table serves every name.
/// </summary>
internal sealed class Http01Challenges : IChallengeSolver
{
    /// <summary>The path prefix the CA requests.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public string ChallengeType => "http-01";

    public bool CanSolve(string name, bool wildcard) => !wildcard;

    /// <summary>The body to answer a request for <paramref name="path"/> with, when it is a pending challenge's.</summary>
    public bool TryAnswer(string? path, out string keyAuthorization)
    {
        keyAuthorization = "";
        return path is not null && path.StartsWith(PathPrefix, StringComparison.Ordinal)
            && _answers.TryGetValue(path[PathPrefix.Length..], out keyAuthorization!);
    }

    public ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        _answers[token] = keyAuthorization;
        return ValueTask.CompletedTask;
    }

    public ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        _answers.TryRemove(token, out _);
        return ValueTask.CompletedTask;
    }
}
