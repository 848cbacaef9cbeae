using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary>
/// Calls the edge's admin API over HTTP with an API key. Every failure becomes an
/// <see cref="AdminCliException"/> carrying the API's error code, or 8006 when the API cannot be reached.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;

    public AdminClient(Uri baseUrl, string apiKey)
    {
        _baseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>The last answer's body, as received (for <c>--json</c>).</summary>
    public string LastBody { get; private set; } = "";

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, type, cancellationToken);

    public Task<T> PostAsync<TBody, T>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body, bodyType), type, cancellationToken);

    /// <summary>A POST without a body (an action on a resource), answered with JSON.</summary>
    public Task<T> PostAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, null, type, cancellationToken);

    /// <summary>A PUT whose body is text (a traffic policy document), answered with JSON.</summary>
    public Task<T> PutTextAsync<T>(string path, string text, string mediaType, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, new StringContent(text, System.Text.Encoding.UTF8, mediaType), type, cancellationToken);

    /// <summary>A GET answered with text rather than JSON.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await CallAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        LastBody = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return LastBody;
    }

    public Task<T> DeleteAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, path, null, type, cancellationToken);

    /// <summary>A DELETE answered with 204 No Content.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await CallAsync(HttpMethod.Delete, path, null, cancellationToken).ConfigureAwait(false);
        LastBody = "";
    }

    /// <summary>The lines of a streamed answer (JSON lines) as they come, until the edge ends it or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<string> StreamLinesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await CallAsync(HttpMethod.Get, path, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await CallAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        LastBody = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(LastBody, type) ?? throw new JsonException("empty answer");
        }
        catch (JsonException ex)
        {
            throw new AdminCliException(ErrorCodes.AdminUnreachable, ErrorCodes.AdminUnreachable.FormatMessage(_baseUrl, "the answer is not the admin API's JSON: " + ex.Message), ex);
        }
    }

    private async Task<HttpResponseMessage> CallAsync(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new AdminCliException(ErrorCodes.AdminUnreachable, ErrorCodes.AdminUnreachable.FormatMessage(_baseUrl, ex.Message), ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            ErrorInfo? error = null;
            try
            {
                error = JsonSerializer.Deserialize(body, AdminJsonContext.Default.ErrorInfo);
            }
            catch (JsonException)
            {
                // Not the admin API answering; reported below.
            }

            if (error is { ErrorCode.Length: > 0 })
            {
                throw new AdminCliException(error.ErrorCode, error.Msg);
            }

            throw new AdminCliException(ErrorCodes.AdminUnreachable,
                ErrorCodes.AdminUnreachable.FormatMessage(_baseUrl, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} without an admin API error"));
        }
    }
}
