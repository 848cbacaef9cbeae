using System.Text;

namespace Burrow.Agent.Http1;

/// <summary>Reads a whole head (start line, field lines, empty line) into an <see cref="Http1Head"/> (RFC 9112 §3-5).</summary>
/// <remarks>
/// Text is decoded as Latin-1, byte for byte, so whatever the peer sent shows as sent. Lines past the
/// line limit are cut (the collector already cut the ones it buffered; this cuts those parsed in place).
/// </remarks>
internal static class Http1HeadReader
{
    public static (Http1Head? Head, string? Error) ReadRequest(ReadOnlySpan<byte> block, Http1Limits limits)
    {
        ReadOnlySpan<byte> line = NextLine(ref block, limits);
        // request-line = method SP request-target SP HTTP-version
        int first = line.IndexOf((byte)' ');
        int last = line.LastIndexOf((byte)' ');
        if (first <= 0 || last <= first + 1)
        {
            return (null, "a request line that is not 'method target version'");
        }

        ReadOnlySpan<byte> version = line[(last + 1)..];
        if (!IsHttp1(version))
        {
            return (null, $"a request that is not HTTP/1.x ('{Latin1(version)}')");
        }

        var headers = new List<KeyValuePair<string, string>>(limits.FramingFieldsOnly ? 2 : 16);
        if (ReadFields(block, limits, headers) is { } error)
        {
            return (null, error);
        }

        string target = limits.FramingFieldsOnly ? "" : Latin1(line[(first + 1)..last]);
        return (new Http1Head(Version(version), Method(line[..first]), target, 0, "", headers), null);
    }

    public static (Http1Head? Head, string? Error) ReadResponse(ReadOnlySpan<byte> block, Http1Limits limits)
    {
        ReadOnlySpan<byte> line = NextLine(ref block, limits);
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing last SP is tolerated, as clients do.
        int space = line.IndexOf((byte)' ');
        if (space < 0 || !IsHttp1(line[..space]) || line.Length < space + 4
            || !IsDigits(line.Slice(space + 1, 3)) || (line.Length > space + 4 && line[space + 4] != ' '))
        {
            return (null, "a status line that is not 'HTTP/1.x code reason'");
        }

        ReadOnlySpan<byte> code = line.Slice(space + 1, 3);
        int status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        string reason = line.Length > space + 5 && !limits.FramingFieldsOnly ? Latin1(line[(space + 5)..]) : "";
        var headers = new List<KeyValuePair<string, string>>(limits.FramingFieldsOnly ? 2 : 16);
        if (ReadFields(block, limits, headers) is { } error)
        {
            return (null, error);
        }

        return (new Http1Head(Version(line[..space]), "", "", status, reason, headers), null);
    }

    /// <summary>Reads field lines up to the empty line into <paramref name="fields"/> (or only checks them); returns an error description or null.</summary>
    public static string? ReadFields(ReadOnlySpan<byte> block, Http1Limits limits, List<KeyValuePair<string, string>>? fields)
    {
        // Bounded: each pass takes one line off the block.
        while (!block.IsEmpty)
        {
            ReadOnlySpan<byte> line = NextLine(ref block, limits);
            if (line.IsEmpty)
            {
                return null;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                // RFC 9112 §5.2: obs-fold is obsolete; an observer that unfolded it would show what no modern peer reads.
                return "a folded header line (obs-fold)";
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return "a header line without a name and a colon";
            }

            ReadOnlySpan<byte> name = line[..colon];
            if (name.IndexOfAny((byte)' ', (byte)'\t') >= 0)
            {
                // RFC 9112 §5.1: no whitespace between a field name and its colon.
                return "whitespace in a header name";
            }

            if (fields is null)
            {
                continue;
            }

            if (!limits.FramingFieldsOnly)
            {
                fields.Add(new(Latin1(name), Latin1(line[(colon + 1)..].Trim(" \t"u8))));
            }
            else if (FramingFieldName(name) is { } known)
            {
                fields.Add(new(known, Latin1(line[(colon + 1)..].Trim(" \t"u8))));
            }
        }

        return null;
    }

    // The canonical name of a field that frames a message or decides persistence, else null.
    private static string? FramingFieldName(ReadOnlySpan<byte> name) => name.Length switch
    {
        7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) => "Upgrade",
        10 when Ascii.EqualsIgnoreCase(name, "Connection"u8) => "Connection",
        14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8) => "Content-Length",
        17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) => "Transfer-Encoding",
        _ => null,
    };

    // The versions and methods almost every message uses, without a new string each time.
    private static string Version(ReadOnlySpan<byte> version) =>
        version.SequenceEqual("HTTP/1.1"u8) ? "HTTP/1.1" : version.SequenceEqual("HTTP/1.0"u8) ? "HTTP/1.0" : Latin1(version);

    private static string Method(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ => Latin1(method),
    };

    // One line off the front of the block, without its CRLF (or bare LF), cut at the line limit.
    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> block, Http1Limits limits)
    {
        int newline = block.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = newline < 0 ? block : block[..newline];
        block = newline < 0 ? default : block[(newline + 1)..];
        if (line is [.., (byte)'\r'])
        {
            line = line[..^1];
        }

        return line.Length > limits.MaxLineBytes ? line[..limits.MaxLineBytes] : line;
    }

    private static bool IsHttp1(ReadOnlySpan<byte> version) => version.Length == 8 && version.StartsWith("HTTP/1."u8) && version[7] is >= (byte)'0' and <= (byte)'9';

    private static bool IsDigits(ReadOnlySpan<byte> span) => span.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
