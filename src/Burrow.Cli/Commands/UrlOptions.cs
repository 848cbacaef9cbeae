using System.CommandLine;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Commands;

/// <summary>
/// The name an http or tls tunnel asks for: <c>--url</c>, or ngrok v2's <c>--subdomain NAME</c>,
/// which means <c>--url NAME.&lt;edge domain&gt;</c> and which the error hints advise.
/// </summary>
internal static class UrlOptions
{
    public static Option<string?> CreateSubdomain() =>
        new("--subdomain") { Description = "The subdomain to ask for under the edge's domain (demo gives demo.<domain>); the same as --url demo." };

    /// <summary>The hostname or the subdomain asked for (or neither: the edge picks a random name), or why the two flags conflict.</summary>
    public static (string? Hostname, string? Subdomain, ProtocolError? Error) Resolve(string? url, string? subdomain)
    {
        bool hasUrl = !string.IsNullOrWhiteSpace(url);
        bool hasSubdomain = !string.IsNullOrWhiteSpace(subdomain);
        if (hasUrl && hasSubdomain)
        {
            return (null, null, ErrorCodes.ConflictingOptions.ToError("--url", "--subdomain", "both name the tunnel's address; give --url demo or --subdomain demo, not both"));
        }

        if (hasSubdomain)
        {
            string label = subdomain!.Trim().ToLowerInvariant();
            return HostNames.TryValidateSubdomain(label, out ProtocolError? invalid) ? (null, label, null) : (null, null, invalid);
        }

        (string? hostname, string? fromUrl) = SplitUrl(url);
        return (hostname, fromUrl, null);
    }

    /// <summary><c>scheme://name.domain[:port][/path]</c> or <c>name.domain</c> is a hostname; a single label is a subdomain.</summary>
    private static (string? Hostname, string? Subdomain) SplitUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, null);
        }

        string host = url.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        int cut = host.IndexOfAny([':', '/']);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        return host.Contains('.', StringComparison.Ordinal) ? (host, null) : (null, host);
    }
}
