using System.Text.RegularExpressions;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Challenges;

/// <summary>
/// Reads the TSIG key from a BIND <c>key</c> clause, the form <c>tsig-keygen</c> prints and <c>named.conf</c>
/// includes, so the operator hands the edge the same file the server uses:
/// <code>
/// key "burrow-acme" {
///         algorithm hmac-sha256;
///         secret "4xfEsnbr32nz...";
/// };
/// </code>
/// Comments (<c>#</c>, <c>//</c>, <c>/* */</c>) are skipped. The file must hold exactly one key: picking one of
/// several by guess could sign with a key the server does not allow for the zone.
/// </summary>
internal static partial class TsigKeyFile
{
    /// <summary>Parses the file's text; <paramref name="path"/> is for messages.</summary>
    public static bool TryParse(string text, string path, out TsigKey key, out string error)
    {
        key = null!;
        // Quoted strings are matched first and kept, so a base64 secret holding "//" is not cut as a comment.
        string clean = Comments().Replace(text, m => m.Value[0] == '"' ? m.Value : " ");
        var clauses = KeyClause().Matches(clean);
        if (clauses.Count != 1)
        {
            error = ErrorCodes.DnsUpdateSettingsInvalid.ToError(
                clauses.Count == 0 ? $"the key file {path} holds no key clause" : $"the key file {path} holds {clauses.Count} keys",
                "Give a file with one key \"NAME\" { algorithm ...; secret \"...\"; }; clause, as tsig-keygen NAME prints it").ToString();
            return false;
        }

        string name = clauses[0].Groups["name"].Value;
        string body = clauses[0].Groups["body"].Value;
        var algorithm = Algorithm().Match(body);
        var secret = Secret().Match(body);
        if (!secret.Success)
        {
            error = ErrorCodes.DnsUpdateSettingsInvalid.ToError($"the key '{name}' in {path} has no secret", "Add secret \"BASE64\"; to the clause, as tsig-keygen prints it").ToString();
            return false;
        }

        // BIND requires the algorithm; a clause without it is taken as tsig-keygen's default rather than refused.
        return TsigKey.TryCreate(name, algorithm.Success ? algorithm.Groups[1].Value : TsigKey.DefaultAlgorithm, secret.Groups[1].Value, $"the key file {path}", out key, out error);
    }

    /// <summary>Reads and parses <paramref name="path"/>; an unreadable file is a 5209 message too.</summary>
    public static bool TryRead(string path, out TsigKey key, out string error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            key = null!;
            error = ErrorCodes.DnsUpdateSettingsInvalid.ToError($"the key file {path} cannot be read ({ex.Message})", "Give a readable file with the key clause tsig-keygen printed").ToString();
            return false;
        }

        return TryParse(text, path, out key, out error);
    }

    [GeneratedRegex(@"""[^""]*""|/\*.*?\*/|//[^\n]*|#[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex("""\bkey\s+"?(?<name>[^"\s{]+)"?\s*\{(?<body>[^{}]*)\}\s*;""")]
    private static partial Regex KeyClause();

    [GeneratedRegex("""\balgorithm\s+"?([^";\s]+)"?\s*;""")]
    private static partial Regex Algorithm();

    [GeneratedRegex("""\bsecret\s+"([^"]*)"\s*;""")]
    private static partial Regex Secret();
}
