using System.CommandLine;
using Burrow.Agent.Tunnels;
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

        (string? hostname, string? fromUrl) = TunnelDefinition.SplitRequestedUrl(url);
        return (hostname, fromUrl, null);
    }
}
