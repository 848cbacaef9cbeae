namespace Burrow.Protocol.Telemetry;

/// <summary>
/// HTTP status codes as boxed objects made once, for metric tags: a tag's value is an <see cref="object"/>, and boxing
/// the status of every request would allocate per request on the data path.
/// </summary>
public static class BoxedStatusCodes
{
    private static readonly object[] Boxes = Enumerable.Range(0, 600).Select(code => (object)code).ToArray();

    /// <summary>The boxed <paramref name="statusCode"/>; a fresh box only for a code outside 0-599.</summary>
    public static object Of(int statusCode) => (uint)statusCode < (uint)Boxes.Length ? Boxes[statusCode] : statusCode;
}
