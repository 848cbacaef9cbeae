using System.Collections.Frozen;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Challenges;

/// <summary>
/// A TSIG key (RFC 8945) that signs RFC 2136 updates: its name, HMAC algorithm and shared secret, exactly as the DNS
/// server holds it. Parsed from <c>NAME:ALGORITHM:SECRET</c> (or nsupdate's <c>ALGORITHM:NAME:SECRET</c>) or from
/// the <c>key</c> clause <c>tsig-keygen</c> prints (<see cref="TsigKeyFile"/>).
/// </summary>
internal sealed record TsigKey
{
    /// <summary>The algorithm when none is given: what <c>tsig-keygen</c> creates by default.</summary>
    public const string DefaultAlgorithm = "hmac-sha256";

    // MD5 (RFC 8945 section 6: "MUST NOT be used for new deployments") is refused; BIND still accepts it, we do not.
    private static readonly FrozenDictionary<string, TSigAlgorithm> Algorithms = new Dictionary<string, TSigAlgorithm>(StringComparer.OrdinalIgnoreCase)
    {
        ["hmac-sha1"] = TSigAlgorithm.Sha1,
        ["hmac-sha224"] = TSigAlgorithm.Sha224,
        ["hmac-sha256"] = TSigAlgorithm.Sha256,
        ["hmac-sha384"] = TSigAlgorithm.Sha384,
        ["hmac-sha512"] = TSigAlgorithm.Sha512,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private TsigKey(string name, string algorithm, byte[] secret)
    {
        Name = name;
        Algorithm = algorithm;
        Secret = secret;
    }

    /// <summary>The key's name, for example <c>burrow-acme</c> (a domain name; compared case-insensitively by servers).</summary>
    public string Name { get; }

    /// <summary>The algorithm's name, lower case, for example <c>hmac-sha256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The shared secret. Never logged.</summary>
    public byte[] Secret { get; }

    /// <summary>The algorithms accepted, for messages.</summary>
    public static string AcceptedAlgorithms => string.Join(", ", Algorithms.Keys.Order(StringComparer.Ordinal));

    internal DomainName DomainName => DomainName.Parse(Name);

    internal TSigAlgorithm TSigAlgorithm => Algorithms[Algorithm];

    /// <summary>Whether <paramref name="algorithm"/> names an accepted HMAC algorithm (<c>hmac-sha256</c>, ...).</summary>
    public static bool IsAlgorithm(string algorithm) => Algorithms.ContainsKey(algorithm);

    /// <summary>
    /// Builds a key from its parts, or says (as an <c>ERR_BURROW_5209</c> message in <paramref name="error"/>) what is
    /// wrong. <paramref name="origin"/> names where the key came from, for the message.
    /// </summary>
    public static bool TryCreate(string name, string algorithm, string secretBase64, string origin, out TsigKey key, out string error)
    {
        key = null!;
        name = name.Trim().TrimEnd('.');
        algorithm = algorithm.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0 || !DomainName.TryParse(name, out _))
        {
            error = Invalid($"{origin} has no usable key name ('{name}')", "Give the key's name as the DNS server knows it, e.g. burrow-acme");
            return false;
        }

        if (!Algorithms.ContainsKey(algorithm))
        {
            error = Invalid($"{origin} names the algorithm '{algorithm}'", $"Use one of {AcceptedAlgorithms} (tsig-keygen's default is {DefaultAlgorithm}; hmac-md5 is not accepted)");
            return false;
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(secretBase64.Trim());
        }
        catch (FormatException)
        {
            error = Invalid($"the secret of key '{name}' in {origin} is not base64", "Copy the secret exactly as tsig-keygen printed it (the text between the quotes)");
            return false;
        }

        if (secret.Length == 0)
        {
            error = Invalid($"the secret of key '{name}' in {origin} is empty", "Copy the secret exactly as tsig-keygen printed it");
            return false;
        }

        key = new TsigKey(name, algorithm, secret);
        error = "";
        return true;
    }

    /// <summary>
    /// Parses <c>NAME:ALGORITHM:SECRET</c> or <c>NAME:SECRET</c> (hmac-sha256). nsupdate's <c>-y</c> order,
    /// <c>ALGORITHM:NAME:SECRET</c>, is recognised too, since operators copy it from there. Base64 has no colon, and
    /// neither have key names in practice, so splitting at colons is unambiguous.
    /// </summary>
    public static bool TryParse(string text, string origin, out TsigKey key, out string error)
    {
        string[] parts = text.Split(':');
        switch (parts.Length)
        {
            case 2:
                return TryCreate(parts[0], DefaultAlgorithm, parts[1], origin, out key, out error);
            case 3 when IsAlgorithm(parts[0]) && !IsAlgorithm(parts[1]):
                return TryCreate(parts[1], parts[0], parts[2], origin, out key, out error);
            case 3:
                return TryCreate(parts[0], parts[1], parts[2], origin, out key, out error);
            default:
                key = null!;
                error = Invalid($"{origin} is not NAME:ALGORITHM:SECRET", $"Give the key as NAME:ALGORITHM:SECRET, e.g. burrow-acme:{DefaultAlgorithm}:c2VjcmV0..., or the key file tsig-keygen wrote with --acme-dns-tsig-file");
                return false;
        }
    }

    /// <summary>Never shows the secret.</summary>
    public override string ToString() => $"{Name} ({Algorithm})";

    private static string Invalid(string what, string todo) => ErrorCodes.DnsUpdateSettingsInvalid.ToError(what, todo).ToString();
}
