using System.Diagnostics.CodeAnalysis;
using Burrow.Edge.Policy.Loading;

namespace Burrow.Edge.Policy.Actions;

/// <summary>The actions Burrow runs, by ngrok's type name, with the phases each belongs to.</summary>
internal static class ActionCatalog
{
    private const PolicyPhaseKind C = PolicyPhaseKind.TcpConnect;
    private const PolicyPhaseKind Q = PolicyPhaseKind.HttpRequest;
    private const PolicyPhaseKind S = PolicyPhaseKind.HttpResponse;

    private static readonly Dictionary<string, Entry> Entries = new Entry[]
    {
        new("deny", [Q, C], DenyAction.Create),
        new("custom-response", [Q, S], CustomResponseAction.Create),
        new("redirect", [Q], RedirectAction.Create),
        new("url-rewrite", [Q], UrlRewriteAction.Create),
        new("add-headers", [Q, S], HeadersAction.CreateAdd),
        new("remove-headers", [Q, S], HeadersAction.CreateRemove),
        new("restrict-ips", [Q, C], RestrictIpsAction.Create),
        new("basic-auth", [Q], BasicAuthAction.Create),
        new("rate-limit", [Q], RateLimitAction.Create),
        new("verify-webhook", [Q], VerifyWebhookAction.Create),
        new("jwt-validation", [Q], JwtValidationPolicyAction.Create),
        new("oidc", [Q], OidcPolicyAction.Create),
        new("compress-response", [Q, S], CompressResponseAction.Create),
        new("log", [Q, S, C], LogAction.Create),
        new("set-vars", [Q, S, C], SetVarsAction.Create),
        new("close-connection", [Q, C], CloseConnectionAction.Create),
    }.ToDictionary(static e => e.Type, StringComparer.Ordinal);

    public static IEnumerable<string> Names => Entries.Keys;

    public static bool TryFind(string type, [NotNullWhen(true)] out Entry? entry) => Entries.TryGetValue(type, out entry);

    /// <summary>One action type: its name, its phases, and how it is built from its config.</summary>
    internal sealed record Entry(string Type, PolicyPhaseKind[] Phases, Func<ActionConfig, PolicyAction?> Create);
}
