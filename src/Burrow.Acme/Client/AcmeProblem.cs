namespace Burrow.Acme.Client;

/// <summary>
/// A problem document (RFC 7807; RFC 8555 section 6.7): the <c>type</c> URN, the server's <c>detail</c>, and for
/// orders of several names one subproblem per failing identifier.
/// </summary>
internal sealed record AcmeProblem(string? Type, string? Detail, int? Status, IReadOnlyList<AcmeProblem>? Subproblems, AcmeIdentifier? Identifier)
{
    /// <summary>The prefix of every ACME error type.</summary>
    public const string AcmeErrorPrefix = "urn:ietf:params:acme:error:";

    /// <summary>The short ACME error name (<c>badNonce</c>, <c>rateLimited</c>...), or the whole type when it is not an ACME one.</summary>
    public string ShortType => Type is { } t && t.StartsWith(AcmeErrorPrefix, StringComparison.Ordinal) ? t[AcmeErrorPrefix.Length..] : Type ?? "about:blank";

    public bool Is(string shortType) => string.Equals(ShortType, shortType, StringComparison.Ordinal);

    /// <summary>The detail with each subproblem's identifier and detail appended, for messages.</summary>
    public string Describe()
    {
        string text = Detail ?? "(no detail)";
        if (Subproblems is { Count: > 0 } subs)
        {
            text += " [" + string.Join("; ", subs.Select(s => $"{s.Identifier?.Value}: {s.ShortType}: {s.Detail}")) + "]";
        }

        return text;
    }
}
