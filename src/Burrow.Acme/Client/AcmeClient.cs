using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Burrow.Acme.Jws;

namespace Burrow.Acme.Client;

/// <summary>
/// One ACME account at one CA (RFC 8555): the account itself (section 7.3), orders and authorizations
/// (7.4, 7.5), finalize and download, revocation (7.6). Polling lives in <c>AcmeClient.Polling.cs</c>. Not
/// thread-safe for the account calls; order calls may run in parallel.
/// </summary>
internal sealed partial class AcmeClient
{
    private readonly AcmeTransport _transport;
    private readonly AcmeClientOptions _options;
    private readonly TimeProvider _time;

    public AcmeClient(HttpClient http, AcmeClientOptions options, AccountKey key, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _transport = new AcmeTransport(http, options, _time);
        Key = key;
    }

    /// <summary>The account key; replaced by <see cref="RolloverKeyAsync"/>.</summary>
    public AccountKey Key { get; private set; }

    /// <summary>The account URL (the JWS kid), known after <see cref="CreateAccountAsync"/> or <see cref="FindAccountAsync"/>.</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>How many badNonce answers were retried so far.</summary>
    public int BadNonceRetries => _transport.BadNonceRetries;

    public Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken) => _transport.GetDirectoryAsync(cancellationToken);

    /// <summary>The key authorization of a challenge token (section 8.1): token "." JWK thumbprint.</summary>
    public string KeyAuthorization(string token) => token + "." + Key.Thumbprint;

    /// <summary>Creates the account, or finds the one this key already has (the server answers 200 with its URL).</summary>
    /// <param name="contact">mailto: URLs the CA may write to about expiry and incidents; may be empty.</param>
    /// <param name="agreeToTerms">Whether the operator agreed to the CA's terms of service (the directory's meta.termsOfService).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<AcmeAccountResource> CreateAccountAsync(IReadOnlyList<string> contact, bool agreeToTerms, CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = Json(new NewAccountRequest(agreeToTerms ? true : null, contact.Count > 0 ? contact : null, null), AcmeJson.Default.NewAccountRequest);
        var response = await _transport.PostAsync(directory.NewAccount, payload, Key, null, "newAccount", null, cancellationToken).ConfigureAwait(false);
        AccountUrl = response.Location ?? throw AcmeTransport.Unusable(directory.NewAccount, "newAccount answered without a Location");
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeAccountResource, directory.NewAccount);
    }

    /// <summary>Looks up the account of <see cref="Key"/> without creating one (onlyReturnExisting).</summary>
    public async Task<AcmeAccountResource> FindAccountAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = Json(new NewAccountRequest(null, null, true), AcmeJson.Default.NewAccountRequest);
        var response = await _transport.PostAsync(directory.NewAccount, payload, Key, null, "newAccount", null, cancellationToken).ConfigureAwait(false);
        AccountUrl = response.Location ?? throw AcmeTransport.Unusable(directory.NewAccount, "newAccount answered without a Location");
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeAccountResource, directory.NewAccount);
    }

    public async Task<AcmeAccountResource> GetAccountAsync(CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var response = await _transport.PostAsync(account, null, Key, account, "account", null, cancellationToken).ConfigureAwait(false);
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeAccountResource, account);
    }

    /// <summary>Replaces the account's contact URLs (section 7.3.2).</summary>
    public async Task<AcmeAccountResource> UpdateContactAsync(IReadOnlyList<string> contact, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var payload = Json(new AccountUpdateRequest(contact, null), AcmeJson.Default.AccountUpdateRequest);
        var response = await _transport.PostAsync(account, payload, Key, account, "account update", null, cancellationToken).ConfigureAwait(false);
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeAccountResource, account);
    }

    /// <summary>
    /// Rolls the account over to <paramref name="newKey"/> (section 7.3.5): an inner JWS signed by the new key
    /// (jwk header, no nonce) naming the account and the old key, inside an outer JWS signed by the old key.
    /// On success <see cref="Key"/> is the new key; the caller disposes the old one.
    /// </summary>
    public async Task RolloverKeyAsync(AccountKey newKey, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        Uri keyChange = directory.KeyChange ?? throw AcmeTransport.Unusable(_options.Directory, "the directory has no keyChange");
        using var oldKey = JsonDocument.Parse(Key.Jwk);
        var inner = JwsMessage.Sign(newKey, keyChange, null, null,
            Json(new KeyChangeRequest(account, oldKey.RootElement), AcmeJson.Default.KeyChangeRequest));
        await _transport.PostAsync(keyChange, inner, Key, account, "keyChange", null, cancellationToken).ConfigureAwait(false);
        Key = newKey;
    }

    /// <summary>Orders a certificate for <paramref name="names"/> (section 7.4); a <c>*.</c> name needs dns-01.</summary>
    public async Task<(Uri Url, AcmeOrderResource Order)> NewOrderAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = Json(new NewOrderRequest([.. names.Select(AcmeIdentifier.Dns)]), AcmeJson.Default.NewOrderRequest);
        var response = await _transport.PostAsync(directory.NewOrder, payload, Key, account, "newOrder", null, cancellationToken).ConfigureAwait(false);
        Uri url = response.Location ?? throw AcmeTransport.Unusable(directory.NewOrder, "newOrder answered without a Location");
        return (url, AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeOrderResource, url));
    }

    public async Task<AcmeOrderResource> GetOrderAsync(Uri order, CancellationToken cancellationToken) =>
        (await GetAsync(order, AcmeJson.Default.AcmeOrderResource, "order", cancellationToken).ConfigureAwait(false)).Value;

    public async Task<AcmeAuthorizationResource> GetAuthorizationAsync(Uri authorization, CancellationToken cancellationToken) =>
        (await GetAsync(authorization, AcmeJson.Default.AcmeAuthorizationResource, "authorization", cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Tells the server the challenge is ready to be checked (section 7.5.1): a POST of <c>{}</c>.</summary>
    public async Task<AcmeChallengeResource> RespondAsync(Uri challenge, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var response = await _transport.PostAsync(challenge, Json(new EmptyRequest(), AcmeJson.Default.EmptyRequest), Key, account, "challenge", null, cancellationToken)
            .ConfigureAwait(false);
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeChallengeResource, challenge);
    }

    /// <summary>Sends the CSR (section 7.4); the order then goes processing, then valid.</summary>
    public async Task<AcmeOrderResource> FinalizeAsync(AcmeOrderResource order, byte[] csrDer, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var payload = Json(new FinalizeRequest(Base64Url.EncodeToString(csrDer)), AcmeJson.Default.FinalizeRequest);
        var response = await _transport.PostAsync(order.Finalize, payload, Key, account, "finalize", null, cancellationToken).ConfigureAwait(false);
        return AcmeTransport.Deserialize(response.Body, AcmeJson.Default.AcmeOrderResource, order.Finalize);
    }

    /// <summary>Downloads the chain, leaf first, as PEM (section 7.4.2).</summary>
    public async Task<string> DownloadCertificateAsync(Uri certificate, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var response = await _transport.PostAsync(certificate, null, Key, account, "certificate", "application/pem-certificate-chain", cancellationToken)
            .ConfigureAwait(false);
        string pem = Encoding.ASCII.GetString(response.Body);
        return pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? pem
            : throw AcmeTransport.Unusable(certificate, "the certificate download is not a PEM chain");
    }

    /// <summary>Revokes a certificate this account holds (section 7.6). Reason codes are RFC 5280's (0 unspecified, 1 keyCompromise, 4 superseded, 5 cessationOfOperation).</summary>
    public async Task RevokeAsync(byte[] certificateDer, int? reason, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        Uri revoke = directory.RevokeCert ?? throw AcmeTransport.Unusable(_options.Directory, "the directory has no revokeCert");
        var payload = Json(new RevokeRequest(Base64Url.EncodeToString(certificateDer), reason), AcmeJson.Default.RevokeRequest);
        await _transport.PostAsync(revoke, payload, Key, account, "revokeCert", null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(T Value, AcmeResponse Response)> GetAsync<T>(
        Uri url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        Uri account = RequireAccount();
        var response = await _transport.PostAsync(url, null, Key, account, what, null, cancellationToken).ConfigureAwait(false);
        return (AcmeTransport.Deserialize(response.Body, type, url), response);
    }

    private Uri RequireAccount() =>
        AccountUrl ?? throw new InvalidOperationException("No ACME account yet: call CreateAccountAsync or FindAccountAsync first.");

    private static byte[] Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);
}
