namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// What an identity action decided for one request: either the request goes on, carrying the
/// identity for later rules (the CEL variables under <c>actions.ngrok.jwt_validation</c> or
/// <c>actions.ngrok.oidc</c>), or the action has written the answer itself (a redirect to the
/// identity provider, the callback, logout, a 401/403 page) and the pipeline must stop.
/// </summary>
/// <param name="Continue">True when the request goes on to the next rule and the upstream.</param>
/// <param name="Variables">
/// The action's variables when <paramref name="Continue"/> is true: <c>identity</c> (sub, email,
/// name...) and <c>claims</c> (every claim of the token or id_token) as nested read-only
/// dictionaries of strings, numbers, booleans and lists; empty when the action answered.
/// </param>
/// <param name="ErrorCode">The <c>ERR_BURROW_NNNN</c> code of the answer when the action refused the request, for logs and metrics.</param>
public sealed record IdentityOutcome(bool Continue, IReadOnlyDictionary<string, object?> Variables, string? ErrorCode = null)
{
    private static readonly IReadOnlyDictionary<string, object?> None = new Dictionary<string, object?>();

    /// <summary>The action has answered the request (or redirected it); nothing more is to be written.</summary>
    public static IdentityOutcome Answered { get; } = new(false, None);

    /// <summary>The action refused the request and wrote the error answer with <paramref name="code"/>.</summary>
    public static IdentityOutcome Refused(string code) => new(false, None, code);

    /// <summary>The request goes on with <paramref name="variables"/>.</summary>
    public static IdentityOutcome Proceed(IReadOnlyDictionary<string, object?> variables) => new(true, variables);
}
