namespace Burrow.Agent.Http1;

/// <summary>RFC 9112 §9.3: whether a connection stays open after an exchange.</summary>
internal static class ConnectionPersistence
{
    /// <summary>
    /// Whether the connection may carry another request after <paramref name="response"/>: not when the request
    /// (<paramref name="requestAskedClose"/>) or the response said <c>Connection: close</c>, and for HTTP/1.0 only
    /// when the response said <c>Connection: keep-alive</c>.
    /// </summary>
    public static bool Persists(bool requestAskedClose, Http1Head response)
    {
        if (requestAskedClose || response.HasToken("Connection", "close"))
        {
            return false;
        }

        return response.Version == "HTTP/1.1" || response.HasToken("Connection", "keep-alive");
    }
}
