using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Burrow.Edge.Policy.Identity;

/// <summary>Fetches OpenID discovery documents and JWKS over the edge's HttpClient, turning every failure into <see cref="IdentityProviderException"/>.</summary>
internal static class Discovery
{
    /// <summary>
    /// The document retriever IdentityModel's ConfigurationManager uses. HTTPS is required except on
    /// loopback, where a provider running next to the edge (and the tests' providers) speaks plain HTTP.
    /// </summary>
    public static HttpDocumentRetriever Retriever(HttpClient http, Uri address) =>
        new(http) { RequireHttps = !address.IsLoopback };

    public static async Task<OpenIdConnectConfiguration> GetAsync(Uri discovery, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenIdConnectConfigurationRetriever.GetAsync(discovery.AbsoluteUri, Retriever(http, discovery), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or ArgumentException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new IdentityProviderException(discovery, Reason(ex), ex);
        }
    }

    public static async Task<string> GetDocumentAsync(Uri address, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            return await Retriever(http, address).GetDocumentAsync(address.AbsoluteUri, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or ArgumentException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new IdentityProviderException(address, Reason(ex), ex);
        }
    }

    // IdentityModel wraps the HTTP failure; the innermost message says what actually went wrong.
    private static string Reason(Exception ex)
    {
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }
}
