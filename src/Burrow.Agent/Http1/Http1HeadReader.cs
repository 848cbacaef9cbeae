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

        var headers = new List<KeyValuePair<string, string>>();
        if (ReadFields(block, limits, headers) is { } error)
        {
            return (null, error);
        }

        return (new Http1Head(Latin1(version), Latin1(line[..first]), Latin1(line[(first + 1)..last]), 0, "", headers), null);
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
        string reason = line.Length > space + 5 ? Latin1(line[(space + 5)..]) : "";
        var headers = new List<KeyValuePair<string, string>>();
        if (ReadFields(block, limits, headers) is { } error)
        {
            return (null, error);
        }

        return (new Http1Head(Latin1(line[..space]), "", "", status, reason, headers), null);
    }

    /// <summary>Reads field lines up to the empty line into <paramref name="fields"/>; returns an error description or null.</summary>
    public static string? ReadFields(ReadOnlySpan<byte> block, Http1Limits limits, List<KeyValuePair<string, string>> fields)
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

            fields.Add(new(Latin1(name), Latin1(line[(colon + 1)..].Trim(" \t"u8))));
        }

        return null;
    }

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
