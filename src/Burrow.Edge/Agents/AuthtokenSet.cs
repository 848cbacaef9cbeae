using System.Security.Cryptography;
using System.Text;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Agents;

/// <summary>
/// The authtokens the edge accepts, kept as SHA-256 digests and compared in fixed time, so
/// neither memory dumps of the set nor timing reveal a token. Tokens are never logged.
/// </summary>
internal sealed class AuthtokenSet
{
    public const string GeneratedFileName = "authtoken";

    private readonly List<byte[]> _digests;

    private AuthtokenSet(List<byte[]> digests, string? generatedToken, string? generatedPath)
    {
        _digests = digests;
        GeneratedToken = generatedToken;
        GeneratedPath = generatedPath;
    }

    /// <summary>The token created on this first start, to print once; otherwise <see langword="null"/>.</summary>
    public string? GeneratedToken { get; }

    /// <summary>Where the created token is kept, when the edge uses one of its own.</summary>
    public string? GeneratedPath { get; }

    public int Count => _digests.Count;

    /// <summary>
    /// The tokens of <paramref name="options"/> (given, or in the token file); without any, the one in
    /// the data directory's <c>authtoken</c> file, which is created when <paramref name="generate"/> is
    /// set (an edge with a control store bootstraps its first token there instead).
    /// </summary>
    public static AuthtokenSet Load(EdgeOptions options, bool generate = true)
    {
        var tokens = new List<string>(options.Authtokens.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()));
        if (!string.IsNullOrEmpty(options.AuthtokenFile))
        {
            tokens.AddRange(ReadTokenFile(options.AuthtokenFile));
        }

        if (tokens.Count > 0)
        {
            return new AuthtokenSet([.. tokens.Select(Digest)], null, null);
        }

        string path = Path.Combine(options.DataDirectory, GeneratedFileName);
        if (File.Exists(path))
        {
            var stored = ReadTokenFile(path).ToList();
            if (stored.Count > 0)
            {
                return new AuthtokenSet([.. stored.Select(Digest)], null, path);
            }
        }

        if (!generate)
        {
            return new AuthtokenSet([], null, null);
        }

        Directory.CreateDirectory(options.DataDirectory);
        string token = Generate();
        Certificates.OwnerOnlyFile.WriteAllText(path, token + "\n");
        return new AuthtokenSet([Digest(token)], token, path);
    }

    /// <summary>A set holding exactly <paramref name="token"/> (the embedded edge).</summary>
    public static AuthtokenSet Of(string token) => new([Digest(token)], null, null);

    /// <summary>A new random token: <c>brw_</c> and 40 base-62 characters (238 bits).</summary>
    public static string Generate()
    {
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return "brw_" + RandomNumberGenerator.GetString(Alphabet, 40);
    }

    /// <summary>Whether the token is one of the set (compared in fixed time); <paramref name="digest"/> is its digest either way.</summary>
    public bool TryMatch(string token, out byte[] digest)
    {
        digest = Digest(token ?? "");
        bool found = false;
        foreach (byte[] known in _digests)
        {
            found |= CryptographicOperations.FixedTimeEquals(digest, known);
        }

        return found;
    }

    /// <summary>Checks a token; returns the error to answer, or <see langword="null"/> with the token's digest.</summary>
    public ProtocolError? Check(string token, out byte[] digest)
    {
        digest = [];
        if (string.IsNullOrEmpty(token))
        {
            return ErrorCodes.MissingAuthtoken.ToError();
        }

        byte[] candidate = Digest(token);
        bool found = false;
        // Every digest is compared, so the time taken says nothing about which one matched.
        foreach (byte[] known in _digests)
        {
            found |= CryptographicOperations.FixedTimeEquals(candidate, known);
        }

        if (!found)
        {
            return ErrorCodes.InvalidAuthtoken.ToError();
        }

        digest = candidate;
        return null;
    }

    public static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static IEnumerable<string> ReadTokenFile(string path) =>
        File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'));
}
