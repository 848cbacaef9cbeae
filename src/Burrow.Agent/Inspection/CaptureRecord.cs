using System.Buffers.Binary;
using System.Net;
using System.Text;
using Burrow.Agent.Http1;

namespace Burrow.Agent.Inspection;

/// <summary>
/// How the store keeps one exchange: a few fixed fields, then the client address, the error, and each side's raw head,
/// kept body prefix and raw trailers as length-prefixed byte runs. Nothing is parsed to store it; <see cref="Read"/>
/// parses the heads when someone looks.
/// </summary>
/// <remarks>
/// Layout, little-endian: start (UTC ticks, 8), duration (ticks, 8), headers after (ticks, 8; -1 for none), status (4),
/// flags (1: replay 1, upgraded 2, has response 4), replay-of sequence (8), request body length (8), response body
/// length (8); then eight runs of [length (4)][bytes]: client address, error (length -1 for none), request head,
/// request body, request trailers, response head, response body, response trailers.
/// </remarks>
internal static class CaptureRecord
{
    private const int FixedBytes = 8 + 8 + 8 + 4 + 1 + 8 + 8 + 8;
    private const int Runs = 8;
    private const byte ReplayFlag = 1;
    private const byte UpgradedFlag = 2;
    private const byte ResponseFlag = 4;

    /// <summary>The encoded size of <paramref name="capture"/>.</summary>
    public static int Size(PendingCapture capture) => FixedBytes + (Runs * 4)
        + Encoding.UTF8.GetByteCount(capture.ClientAddr) + (capture.Error is null ? 0 : Encoding.UTF8.GetByteCount(capture.Error))
        + Side(capture.Request) + Side(capture.Response);

    /// <summary>Encodes <paramref name="capture"/> into exactly <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public static void Write(PendingCapture capture, Span<byte> destination)
    {
        var w = new Writer(destination);
        w.Long(capture.Start.UtcTicks);
        w.Long(capture.Duration.Ticks);
        w.Long(capture.HeadersAfter?.Ticks ?? -1);
        w.Int(capture.StatusCode);
        bool hasResponse = capture.Response.HasHead;
        w.Byte((byte)((capture.ReplayOf is null ? 0 : ReplayFlag) | (capture.Upgraded ? UpgradedFlag : 0) | (hasResponse ? ResponseFlag : 0)));
        w.Long(capture.ReplayOf ?? -1);
        w.Long(capture.Request.BodyLength);
        w.Long(capture.Response.BodyLength);
        w.Text(capture.ClientAddr);
        w.Text(capture.Error);
        w.Run(capture.Request.Head);
        w.Run(capture.Request.Body);
        w.Run(capture.Request.Trailers);
        w.Run(capture.Response.Head);
        w.Run(capture.Response.Body);
        w.Run(capture.Response.Trailers);
    }

    /// <summary>The parsed view of a stored record.</summary>
    /// <param name="record">The bytes <see cref="Write"/> wrote.</param>
    /// <param name="id">The exchange's id.</param>
    /// <param name="tunnelName">The tunnel it belongs to.</param>
    /// <param name="idOf">Turns a sequence (of the replayed request) into its id.</param>
    public static CapturedExchange Read(ReadOnlySpan<byte> record, string id, string tunnelName, Func<long, string> idOf)
    {
        var r = new Reader(record);
        var start = new DateTimeOffset(r.Long(), TimeSpan.Zero);
        var duration = TimeSpan.FromTicks(r.Long());
        long headersAfter = r.Long();
        int status = r.Int();
        byte flags = r.Byte();
        long replayOf = r.Long();
        long requestBodyLength = r.Long();
        long responseBodyLength = r.Long();
        string clientAddr = r.Text()!;
        string? error = r.Text();
        ReadOnlySpan<byte> requestHead = r.Run();
        byte[] requestBody = r.Run().ToArray();
        ReadOnlySpan<byte> requestTrailers = r.Run();
        ReadOnlySpan<byte> responseHead = r.Run();
        byte[] responseBody = r.Run().ToArray();
        ReadOnlySpan<byte> responseTrailers = r.Run();

        (Http1Head? request, _) = Http1HeadReader.ReadRequest(requestHead, Http1Limits.Default);
        CapturedMessage? response = null;
        string reason = "";
        if ((flags & ResponseFlag) != 0)
        {
            (Http1Head? head, _) = Http1HeadReader.ReadResponse(responseHead, Http1Limits.Default);
            reason = head?.ReasonPhrase ?? "";
            response = new CapturedMessage(head?.Version ?? "HTTP/1.1", head?.Headers ?? [], new BodyCapture(responseBody, responseBodyLength))
            {
                Trailers = Fields(responseTrailers),
                RawHead = responseHead.ToArray(),
            };
        }

        List<KeyValuePair<string, string>> requestHeaders = request?.Headers ?? [];
        return new CapturedExchange
        {
            Id = id,
            TunnelName = tunnelName,
            RemoteAddr = ClientAddress(requestHeaders, clientAddr),
            Start = start,
            Method = request?.Method ?? "",
            Uri = request?.Target ?? "",
            Request = new CapturedMessage(request?.Version ?? "HTTP/1.1", requestHeaders, new BodyCapture(requestBody, requestBodyLength))
            {
                Trailers = Fields(requestTrailers),
                RawHead = requestHead.ToArray(),
            },
            Response = response,
            StatusCode = status,
            ReasonPhrase = reason,
            Error = error,
            Duration = duration,
            HeadersAfter = headersAfter < 0 ? null : TimeSpan.FromTicks(headersAfter),
            Replay = (flags & ReplayFlag) != 0,
            ReplayOf = replayOf < 0 ? null : idOf(replayOf),
            Upgraded = (flags & UpgradedFlag) != 0,
        };
    }

    /// <summary>The request target of a raw request head (between the start line's first and last space), or empty.</summary>
    public static string Target(ReadOnlySpan<byte> requestHead)
    {
        int newline = requestHead.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = (newline < 0 ? requestHead : requestHead[..newline]).TrimEnd((byte)'\r');
        int first = line.IndexOf((byte)' ');
        int last = line.LastIndexOf((byte)' ');
        return first > 0 && last > first + 1 ? Encoding.Latin1.GetString(line[(first + 1)..last]) : "";
    }

    private static int Side(MessageCapture side) => side.Head.Length + side.Body.Length + side.Trailers.Length;

    private static List<KeyValuePair<string, string>> Fields(ReadOnlySpan<byte> block)
    {
        List<KeyValuePair<string, string>> fields = [];
        if (!block.IsEmpty)
        {
            Http1HeadReader.ReadFields(block, Http1Limits.Default, fields);
        }

        return fields;
    }

    private static string ClientAddress(List<KeyValuePair<string, string>> headers, string clientAddr)
    {
        // The edge names the real client per request; the stream's header names the first one on a pooled stream.
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "X-Forwarded-For", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            {
                int comma = value.LastIndexOf(',');
                return (comma < 0 ? value : value[(comma + 1)..]).Trim();
            }
        }

        return IPEndPoint.TryParse(clientAddr, out IPEndPoint? endPoint) ? endPoint.Address.ToString() : clientAddr;
    }

    private ref struct Writer(Span<byte> destination)
    {
        private Span<byte> _rest = destination;

        public void Long(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_rest, value);
            _rest = _rest[8..];
        }

        public void Int(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_rest, value);
            _rest = _rest[4..];
        }

        public void Byte(byte value)
        {
            _rest[0] = value;
            _rest = _rest[1..];
        }

        public void Run(ReadOnlySpan<byte> bytes)
        {
            Int(bytes.Length);
            bytes.CopyTo(_rest);
            _rest = _rest[bytes.Length..];
        }

        public void Text(string? text)
        {
            if (text is null)
            {
                Int(-1);
                return;
            }

            int length = Encoding.UTF8.GetBytes(text, _rest[4..]);
            Int(length);
            _rest = _rest[length..];
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private ReadOnlySpan<byte> _rest = source;

        public long Long()
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(_rest);
            _rest = _rest[8..];
            return value;
        }

        public int Int()
        {
            int value = BinaryPrimitives.ReadInt32LittleEndian(_rest);
            _rest = _rest[4..];
            return value;
        }

        public byte Byte()
        {
            byte value = _rest[0];
            _rest = _rest[1..];
            return value;
        }

        public ReadOnlySpan<byte> Run()
        {
            int length = Int();
            ReadOnlySpan<byte> bytes = _rest[..length];
            _rest = _rest[length..];
            return bytes;
        }

        public string? Text()
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(_rest);
            if (length < 0)
            {
                _rest = _rest[4..];
                return null;
            }

            return Encoding.UTF8.GetString(Run());
        }
    }
}
