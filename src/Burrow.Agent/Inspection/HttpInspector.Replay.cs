using System.Diagnostics;
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

    /// <summary>Replays <paramref name="original"/> to <paramref name="tunnel"/>'s upstream; returns the new entry, or the error.</summary>
    public async Task<(CapturedExchange? Exchange, ProtocolError? Error)> ReplayAsync(
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

        var exchange = new CapturedExchange
        {
            Id = Store.NextId(),
            TunnelName = tunnel.Definition.Name,
            RemoteAddr = "127.0.0.1",
            Start = DateTimeOffset.UtcNow,
            Method = method,
            Uri = uri,
            Request = new CapturedMessage("HTTP/1.1", requestHeaders, BodyCapture.From(body, BodyLimit)),
            Replay = true,
            ReplayOf = original.Id,
        };
        long started = Stopwatch.GetTimestamp();
        try
        {
            using HttpResponseMessage response = await ClientFor(tunnel).SendAsync(message, cancellationToken).ConfigureAwait(false);
            // Replay is the agent's only client of its own: what the upstream says about keep-alive picks its pool.
            tunnel.UpstreamReuse.Observe(response);
            exchange.HeadersAfter = Stopwatch.GetElapsedTime(started);
            var responseBody = new BodyCapture(BodyLimit);
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                byte[] buffer = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    responseBody.Append(buffer.AsSpan(0, read));
                }
            }

            responseBody.Seal();
            var responseHeaders = new List<KeyValuePair<string, string>>();
            // Non-validated: the values as the upstream wrote them, not re-split into tokens.
            foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                foreach (string value in values)
                {
                    responseHeaders.Add(new(name, value));
                }
            }

            exchange.StatusCode = (int)response.StatusCode;
            exchange.ReasonPhrase = response.ReasonPhrase ?? "";
            exchange.Response = new CapturedMessage("HTTP/" + response.Version.ToString(2), responseHeaders, responseBody);
        }
        catch (HttpRequestException ex)
        {
            string reason = ex.InnerException is UpstreamDialFailedException dial ? dial.Error.ToString() : ex.GetBaseException().Message;
            return (null, ErrorCodes.ReplayFailed.ToError(original.Id, reason.TrimEnd('.')));
        }

        exchange.Duration = Stopwatch.GetElapsedTime(started);
        Record(exchange, tunnel);
        return (exchange, null);
    }
}
