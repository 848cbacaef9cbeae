using System.Net;
using System.Net.Http.Headers;

namespace Burrow.Acme.Client;

/// <summary>A successful ACME answer, read whole: status, Location, Retry-After, Link headers and the body.</summary>
internal sealed record AcmeResponse(HttpStatusCode Status, Uri? Location, RetryConditionHeaderValue? RetryAfter, IReadOnlyList<string> Links, byte[] Body, string? ContentType);
