using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy;

/// <summary>What actions may need from the edge when they are built: the clock, outbound HTTP (JWKS, OpenID discovery), a logger for <c>log</c>, the data directory for keys, the edge's rate-limit counts.</summary>
internal sealed class PolicyServices
{
    private readonly Lazy<Identity.OidcKeys?> _oidcKeys;

    public PolicyServices(TimeProvider time, ILoggerFactory loggers, HttpClient http, string? dataDirectory, Identity.OidcKeys? oidcKeys = null,
        Limits.SlidingWindowCounts? counts = null)
    {
        Counts = counts ?? new Limits.SlidingWindowCounts(time, Microsoft.Extensions.Logging.Abstractions.NullLogger<Limits.SlidingWindowCounts>.Instance, maxBuckets: 100_000);
        Time = time;
        Loggers = loggers;
        Http = http;
        DataDirectory = dataDirectory;
        Logger = loggers.CreateLogger("Burrow.Edge.Policy");
        // Made (or read) the first time a policy has an oidc action: an edge without one never writes the key file.
        _oidcKeys = new Lazy<Identity.OidcKeys?>(() => oidcKeys ?? (dataDirectory is null ? null : Identity.OidcKeys.Load(dataDirectory, Logger)));
    }

    /// <summary>The key that seals oidc session cookies, kept in the data directory so sessions survive a restart.</summary>
    public Identity.OidcKeys? OidcKeys => _oidcKeys.Value;

    public TimeProvider Time { get; }

    /// <summary>The sliding windows <c>rate-limit</c> counts in: the edge's, shared with the other nodes of a cluster.</summary>
    public Limits.SlidingWindowCounts Counts { get; }

    public ILoggerFactory Loggers { get; }

    public ILogger Logger { get; }

    public HttpClient Http { get; }

    public string? DataDirectory { get; }

    /// <summary>For the CLI and tools that only validate documents: nothing is fetched, and a throwaway cookie key.</summary>
    public static PolicyServices ForValidation() =>
        new(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new HttpClient(), null,
            Identity.OidcKeys.FromKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
}
