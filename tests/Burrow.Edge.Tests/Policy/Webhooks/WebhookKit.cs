using System.Security.Cryptography;
using System.Text;
using Burrow.Edge.Policy.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>
/// Builds requests and signs them the way each provider's documentation describes, written
/// independently of the library (strings and one-shot HMACs) so the two can disagree.
/// </summary>
internal static class WebhookKit
{
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 18, 0, 0, TimeSpan.Zero);

    public static readonly Uri DefaultUrl = new("https://hooks.example.test/incoming?source=test");

    public static WebhookRequest Request(string body, params (string Name, string Value)[] headers) =>
        Request(DefaultUrl, "POST", Encoding.UTF8.GetBytes(body), headers);

    public static WebhookRequest Request(Uri url, string method, byte[] body, params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary.Append(name, value);
        }

        return new WebhookRequest(method, url, dictionary, body);
    }

    public static WebhookRequest WithHeader(this WebhookRequest request, string name, string value)
    {
        var headers = Copy(request.Headers);
        headers[name] = value;
        return request with { Headers = headers };
    }

    public static WebhookRequest WithoutHeader(this WebhookRequest request, string name)
    {
        var headers = Copy(request.Headers);
        headers.Remove(name);
        return request with { Headers = headers };
    }

    public static WebhookRequest WithBody(this WebhookRequest request, string body) => request with { Body = Encoding.UTF8.GetBytes(body) };

    public static string BodyText(this WebhookRequest request) => Encoding.UTF8.GetString(request.Body.Span);

    public static byte[] Hmac(HashAlgorithmName algorithm, byte[] key, string data) => WebhookSigners.Hmac(algorithm, key, data);

    public static string HexSha256(string key, string data) => WebhookSigners.HexSha256(key, data);

    public static string Base64Sha256(string key, string data) => WebhookSigners.Base64Sha256(key, data);

    public static WebhookSecret Secret(string provider, string secret)
    {
        Assert.True(WebhookSecret.TryParse(provider, secret, out var parsed, out var error), error);
        return parsed!;
    }

    public static WebhookProvider Provider(string name)
    {
        Assert.True(WebhookProviders.TryGet(name, out var provider), name);
        return provider;
    }

    public static WebhookVerification Verify(string provider, string secret, WebhookRequest request, DateTimeOffset? now = null)
    {
        var p = Provider(provider);
        using var parsed = Secret(provider, secret);
        return p.Verify(request, parsed, now ?? Now, p.DefaultTolerance);
    }

    private static HeaderDictionary Copy(IHeaderDictionary source)
    {
        var copy = new HeaderDictionary();
        foreach (var (name, values) in source)
        {
            copy[name] = values;
        }

        return copy;
    }
}
