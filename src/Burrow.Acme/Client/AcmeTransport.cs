using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Burrow.Acme.Jws;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Client;

/// <summary>
/// The HTTP side of ACME: the directory, nonces, and JWS-signed POSTs (RFC 8555 sections 6.2-6.5). A
/// <c>badNonce</c> answer is retried with the nonce it carried, a bounded number of times; every other problem
/// document becomes an <see cref="AcmeException"/>.
/// </summary>
internal sealed class AcmeTransport
{
    private static readonly MediaTypeHeaderValue JoseJson = new("application/jose+json");
    private readonly HttpClient _http;
    private readonly AcmeClientOptions _options;
    private readonly TimeProvider _time;
    private readonly NoncePool _nonces = new();
    private AcmeDirectory? _directory;

    public AcmeTransport(HttpClient http, AcmeClientOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
    }

    /// <summary>How many badNonce answers were retried, for tests and metrics.</summary>
    public int BadNonceRetries { get; private set; }

    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is { } cached)
        {
            return cached;
        }

        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, _options.Directory), cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Unusable(_options.Directory, $"the directory answered {(int)response.StatusCode}");
        }

        _directory = Deserialize(body, AcmeJson.Default.AcmeDirectory, _options.Directory);
        return _directory;
    }

    /// <summary>POSTs a signed request; a <see langword="null"/> payload makes it a POST-as-GET.</summary>
    /// <param name="url">The resource.</param>
    /// <param name="payload">The JSON payload, or <see langword="null"/> for POST-as-GET.</param>
    /// <param name="key">The signing key.</param>
    /// <param name="accountUrl">The kid, or <see langword="null"/> to send the key as jwk.</param>
    /// <param name="what">What the request does, for error messages ("newOrder", "finalize"...).</param>
    /// <param name="accept">An Accept header, for the certificate download.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<AcmeResponse> PostAsync(
        Uri url, byte[]? payload, AccountKey key, Uri? accountUrl, string what, string? accept, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            string nonce = await TakeNonceAsync(cancellationToken).ConfigureAwait(false);
            byte[] body = JwsMessage.Sign(key, url, nonce, accountUrl, payload ?? []);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = JoseJson;
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            string? contentType = response.Content.Headers.ContentType?.MediaType;
            if (response.IsSuccessStatusCode)
            {
                var links = response.Headers.TryGetValues("Link", out var l) ? l.ToList() : [];
                return new AcmeResponse(response.StatusCode, response.Headers.Location is { } loc ? new Uri(url, loc) : null,
                    response.Headers.RetryAfter, links, content, contentType);
            }

            AcmeProblem problem = ReadProblem(content, contentType, response.StatusCode, url);
            // The server sent a fresh nonce with the error (section 6.5): the retry uses it, so no extra round trip.
            if (problem.Is("badNonce") && attempt < _options.MaxBadNonceRetries)
            {
                BadNonceRetries++;
                continue;
            }

            throw AcmeException.FromProblem(problem, what, RetryAfter.When(response, _time.GetUtcNow()));
        }
    }

    private async Task<string> TakeNonceAsync(CancellationToken cancellationToken)
    {
        if (_nonces.TryTake(out string nonce))
        {
            return nonce;
        }

        var directory = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Head, directory.NewNonce), cancellationToken).ConfigureAwait(false);
        // SendAsync put the answer's nonce in the pool.
        if (_nonces.TryTake(out string fresh))
        {
            return fresh;
        }

        throw Unusable(directory.NewNonce, "newNonce answered without a Replay-Nonce header");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unusable(request.RequestUri!, e.Message, e);
        }
        finally
        {
            request.Dispose();
        }

        _nonces.Add(response);
        return response;
    }

    private static AcmeProblem ReadProblem(byte[] content, string? contentType, HttpStatusCode status, Uri url)
    {
        if (contentType is "application/problem+json" or "application/json")
        {
            try
            {
                if (JsonSerializer.Deserialize(content, AcmeJson.Default.AcmeProblem) is { } problem)
                {
                    return problem;
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all: described below from the status.
            }
        }

        throw Unusable(url, $"HTTP {(int)status} without a problem document");
    }

    internal static T Deserialize<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Uri url)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw Unusable(url, "the answer is JSON null");
        }
        catch (JsonException e)
        {
            throw Unusable(url, $"the answer is not the expected JSON ({e.Message})", e);
        }
    }

    internal static AcmeException Unusable(Uri url, string reason, Exception? inner = null) =>
        new(ErrorCodes.AcmeUnreachable, ErrorCodes.AcmeUnreachable.FormatMessage(url, reason), inner: inner);
}
