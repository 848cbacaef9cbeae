using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// One webhook delivery as the edge received it, with its body already buffered: providers verify
/// synchronously over these bytes and never touch the network or the request stream.
/// </summary>
/// <param name="Method">The HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Url">
/// The public URL the provider called, as the provider wrote it: scheme, host, port, raw path and raw
/// query (build it with <c>UriHelper.GetEncodedUrl</c>, not from a decoded path). Twilio and Square sign
/// this URL, so <see cref="Uri.OriginalString"/> is what they compare.
/// </param>
/// <param name="Headers">The request headers.</param>
/// <param name="Body">The raw request body, exactly as received.</param>
public sealed record WebhookRequest(string Method, Uri Url, IHeaderDictionary Headers, ReadOnlyMemory<byte> Body);
