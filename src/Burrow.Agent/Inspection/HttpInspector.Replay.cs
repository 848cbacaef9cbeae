using System.Diagnostics;
using System.Text;
using Burrow.Agent.Session;
using Burrow.Protocol.Errors;

namespace Burrow.Agent.Inspection;

// Replay: a captured request sent again to a tunnel's upstream (as it was or edited), recorded as a new entry.
internal sealed partial class HttpInspector
{
    // Headers HttpClient sets itself or that describe the old message's framing.
    private static readonly HashSet<string> NotReplayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    /// <summary>Replays <paramref name="original"/> to <paramref name="tunnel"/>'s upstream; returns the new entry's id, or the error.</summary>
    public async Task<(string? Id, ProtocolError? Error)> ReplayAsync(
        CapturedExchange original, ActiveTunnel tunnel, ReplayEdits? edits, CancellationToken cancellationToken)
    {
        if (edits?.Body is null && original.Request.Body.Truncated)
        {
            return (null, ErrorCodes.ReplayBodyTruncated.ToError(original.Id));
        }

        string method = edits?.Method ?? original.Method;
        string uri = edits?.Uri ?? original.Uri;
        if (!uri.StartsWith('/'))
        {
            uri = "/" + uri;
        }

        IReadOnlyList<KeyValuePair<string, string>> headers = edits?.Headers ?? original.Request.Headers;
        byte[] body = edits?.Body ?? original.Request.Body.Kept.ToArray();
        string? host = null;
        using var message = new HttpRequestMessage(new HttpMethod(method), DestinationPrefix(tunnel) + uri)
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var content = new ByteArrayContent(body);
        bool hasContent = body.Length > 0;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                host = value;
            }
            else if (!NotReplayed.Contains(name) && !message.Headers.TryAddWithoutValidation(name, value))
            {
                hasContent = true;
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (hasContent)
        {
            message.Content = content;
        }
        else
        {
            content.Dispose();
        }

        message.Headers.Host = host;
        var requestHeaders = new List<KeyValuePair<string, string>>();
        if (host is not null)
        {
            requestHeaders.Add(new("Host", host));
        }

        requestHeaders.AddRange(headers.Where(h => !string.Equals(h.Key, "Host", StringComparison.OrdinalIgnoreCase) && !NotReplayed.Contains(h.Key)));
        if (hasContent)
        {
            requestHeaders.Add(new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (!Store.TryParseId(original.Id, out long originalSequence))
        {
            return (null, ErrorCodes.ReplayFailed.ToError(original.Id, "it is not an id of this store"));
        }

        var capture = new PendingCapture(Store.NextSequence(), method, "127.0.0.1", BodyLimit) { ReplayOf = originalSequence };
        capture.Request.SetHead(WriteHead($"{method} {uri} HTTP/1.1", requestHeaders));
        capture.Request.AppendBody(body);
        long started = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await ClientFor(tunnel).SendAsync(message, cancellationToken).ConfigureAwait(false);
            // Replay is the agent's only client of its own: what the upstream says about keep-alive picks its pool.
            tunnel.UpstreamReuse.Observe(response);
            capture.HeadersAfter = Stopwatch.GetElapsedTime(started);
            var responseHeaders = new List<KeyValuePair<string, string>>();
            // Non-validated: the values as the upstream wrote them, not re-split into tokens.
            foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                foreach (string value in values)
                {
                    responseHeaders.Add(new(name, value));
                }
            }

            capture.StatusCode = (int)response.StatusCode;
            capture.Response.SetHead(WriteHead($"HTTP/{response.Version.ToString(2)} {capture.StatusCode} {response.ReasonPhrase}".TrimEnd(), responseHeaders));
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                byte[] buffer = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    capture.Response.AppendBody(buffer.AsSpan(0, read));
                }
            }
        }
        catch (HttpRequestException ex)
        {
            capture.Release();
            string reason = ex.InnerException is UpstreamDialFailedException dial ? dial.Error.ToString() : ex.GetBaseException().Message;
            return (null, ErrorCodes.ReplayFailed.ToError(original.Id, reason.TrimEnd('.')));
        }
        catch
        {
            capture.Release();
            throw;
        }

        capture.Duration = Stopwatch.GetElapsedTime(started);
        Record(capture, tunnel);
        return (Store.IdOf(capture.Sequence), null);
    }

    // A head as HTTP/1.1 writes it, for the store (which keeps heads raw). Latin-1, as the bytes on the wire are.
    private static byte[] WriteHead(string startLine, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var head = new StringBuilder(startLine).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }
}
