using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>The providers by ngrok's provider id, and the generic HMAC provider.</summary>
public static class WebhookProviders
{
    private static readonly FrozenDictionary<string, WebhookProvider> ByName = new WebhookProvider[]
    {
        new BitbucketProvider(),
        StandardWebhooksProvider.Clerk,
        new GitHubProvider(),
        new GitLabProvider(),
        new IntercomProvider(),
        new LinearProvider(),
        new MailgunProvider(),
        new PagerDutyProvider(),
        new SendGridProvider(),
        new SentryProvider(),
        new ShopifyProvider(),
        new SlackProvider(),
        new SquareProvider(),
        StandardWebhooksProvider.Standard,
        new StripeProvider(),
        StandardWebhooksProvider.Svix,
        new TwilioProvider(),
        new TypeformProvider(),
        new ZoomProvider(),
    }.ToFrozenDictionary(provider => provider.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The provider ids this edge verifies, sorted.</summary>
    public static IReadOnlyCollection<string> Names { get; } = [.. ByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds a provider by ngrok's id, ignoring case.</summary>
    public static bool TryGet(string name, [MaybeNullWhen(false)] out WebhookProvider provider) =>
        ByName.TryGetValue(name ?? "", out provider);

    /// <summary>A provider for <paramref name="options"/>' scheme; its <see cref="WebhookProvider.Name"/> is <c>generic</c>.</summary>
    /// <exception cref="ArgumentException">The options name an unknown algorithm or encoding, or no header.</exception>
    public static WebhookProvider Generic(GenericHmacOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryCreateGeneric(options, out var provider, out var error) ? provider : throw new ArgumentException(error, nameof(options));
    }

    /// <summary>Like <see cref="Generic"/>, returning the reason instead of throwing, for validating a policy when it is loaded.</summary>
    public static bool TryCreateGeneric(GenericHmacOptions options, [MaybeNullWhen(false)] out WebhookProvider provider, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        var created = GenericHmacProvider.TryCreate(options, out var generic, out error);
        provider = generic;
        return created;
    }
}
