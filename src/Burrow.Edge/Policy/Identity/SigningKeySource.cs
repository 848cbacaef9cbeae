using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.Edge.Policy.Identity;

/// <summary>
/// The keys tokens may be signed with: the JWKS documents at the configured <c>additional_jkus</c>,
/// or, without any, the <c>jwks_uri</c> of each allowed issuer's OpenID discovery document. Keys are
/// cached and refetched every <see cref="RefreshInterval"/>; a token whose <c>kid</c> is not known
/// triggers an early refetch (that is how a rotated key is picked up), but at most once per
/// <see cref="UnknownKidRefreshInterval"/>, so a flood of made-up kids cannot hammer the identity provider.
/// </summary>
internal sealed class SigningKeySource : IDisposable
{
    /// <summary>How long fetched keys are used before they are fetched again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);

    /// <summary>The least time between two refetches caused by an unknown kid.</summary>
    public static readonly TimeSpan UnknownKidRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<Uri> _jwksUris;
    private readonly IReadOnlyList<Uri> _discoveryUris;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private long _fetchedAt = long.MinValue;

    public SigningKeySource(IReadOnlyList<Uri> jwksUris, IReadOnlyList<Uri> issuers, HttpClient http, TimeProvider time)
    {
        _jwksUris = jwksUris;
        _discoveryUris = jwksUris.Count > 0 ? [] : [.. issuers.Select(DiscoveryUri)];
        _http = http;
        _time = time;
    }

    public void Dispose() => _fetchGate.Dispose();

    /// <summary>How many times the keys were fetched (for tests of the refresh limit).</summary>
    public int FetchCount { get; private set; }

    public static Uri DiscoveryUri(Uri issuer) =>
        new(issuer.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");

    /// <summary>
    /// The keys, fetched when none are cached or the cache is old, or when <paramref name="kid"/>
    /// is not among them and the last fetch is older than the unknown-kid interval.
    /// </summary>
    /// <exception cref="IdentityProviderException">No key could be fetched and none is cached.</exception>
    public async Task<IReadOnlyList<SecurityKey>> GetKeysAsync(string? kid, CancellationToken cancellationToken)
    {
        IReadOnlyList<SecurityKey> keys = _keys;
        TimeSpan age = _time.GetElapsedTime(Interlocked.Read(ref _fetchedAt));
        bool never = Interlocked.Read(ref _fetchedAt) == long.MinValue;
        bool unknownKid = !string.IsNullOrEmpty(kid) && !keys.Any(k => k.KeyId == kid);
        if (!never && age < RefreshInterval && !(unknownKid && age >= UnknownKidRefreshInterval))
        {
            return keys;
        }

        await _fetchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched while this one waited.
            if (!never && Interlocked.Read(ref _fetchedAt) is var at && at != long.MinValue && _time.GetElapsedTime(at) < UnknownKidRefreshInterval)
            {
                return _keys;
            }

            try
            {
                IReadOnlyList<SecurityKey> fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
                _keys = fresh;
                FetchCount++;
                Interlocked.Exchange(ref _fetchedAt, _time.GetTimestamp());
                return fresh;
            }
            catch (IdentityProviderException) when (_keys.Count > 0)
            {
                // A provider that is down for a moment must not lock out every user: keep the old keys,
                // and count this as a fetch so that the next try waits for the unknown-kid interval.
                Interlocked.Exchange(ref _fetchedAt, _time.GetTimestamp() - (long)((RefreshInterval - UnknownKidRefreshInterval).TotalSeconds * _time.TimestampFrequency));
                return _keys;
            }
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync(CancellationToken cancellationToken)
    {
        var keys = new List<SecurityKey>();
        foreach (Uri discovery in _discoveryUris)
        {
            OpenIdConnectConfiguration configuration = await Discovery.GetAsync(discovery, _http, cancellationToken).ConfigureAwait(false);
            keys.AddRange(configuration.SigningKeys);
        }

        foreach (Uri jwks in _jwksUris)
        {
            string json = await Discovery.GetDocumentAsync(jwks, _http, cancellationToken).ConfigureAwait(false);
            try
            {
                keys.AddRange(new JsonWebKeySet(json).GetSigningKeys());
            }
            catch (ArgumentException ex)
            {
                throw new IdentityProviderException(jwks, "the JWKS is not valid: " + ex.Message, ex);
            }
        }

        return keys;
    }
}
