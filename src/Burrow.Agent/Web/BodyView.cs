using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Burrow.Agent.Inspection;

namespace Burrow.Agent.Web;

/// <summary>
/// A captured body made readable: content-encoding (gzip, deflate, br) undone, JSON and forms
/// pretty-printed, text shown as text, anything else as a hex dump with its size.
/// </summary>
internal static class BodyView
{
    private const int MaxDecoded = 4 * 1024 * 1024;
    private const int MaxHex = 16 * 1024;

    public static JsonObject Describe(CapturedMessage message)
    {
        string contentType = message.Header("Content-Type") ?? "";
        string encoding = (message.Header("Content-Encoding") ?? "").Trim().ToLowerInvariant();
        byte[] bytes = message.Body.Kept.ToArray();
        string? decodeError = null;
        if (encoding is "gzip" or "x-gzip" or "deflate" or "br" && bytes.Length > 0)
        {
            try
            {
                bytes = Decode(bytes, encoding);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                decodeError = message.Body.Truncated
                    ? $"the body was cut at {message.Body.Kept.Length} bytes, so it cannot be fully decoded ({encoding})"
                    : $"not valid {encoding}: {ex.Message}";
            }
        }

        string kind;
        string? text = null;
        string media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (bytes.Length == 0)
        {
            kind = "empty";
        }
        else if (IsJson(media) && TryPrettyJson(bytes, out string? pretty))
        {
            kind = "json";
            text = pretty;
        }
        else if (media == "application/x-www-form-urlencoded" && IsUtf8(bytes))
        {
            kind = "form";
            text = PrettyForm(Encoding.UTF8.GetString(bytes));
        }
        else if ((media.StartsWith("text/", StringComparison.Ordinal) || media.EndsWith("xml", StringComparison.Ordinal) || media is "application/javascript" or "" or "application/graphql")
            && IsUtf8(bytes) && !bytes.AsSpan().Contains((byte)0))
        {
            kind = "text";
            text = Encoding.UTF8.GetString(bytes);
        }
        else if (media.Length == 0 && TryPrettyJson(bytes, out pretty))
        {
            kind = "json";
            text = pretty;
        }
        else
        {
            kind = "binary";
            text = Hex(bytes.AsSpan(0, Math.Min(bytes.Length, MaxHex)));
        }

        return new JsonObject
        {
            ["kind"] = kind,
            ["content_type"] = contentType,
            ["content_encoding"] = encoding.Length == 0 ? null : encoding,
            ["size"] = message.Body.Length,
            ["kept"] = message.Body.Kept.Length,
            ["truncated"] = message.Body.Truncated,
            ["decoded_size"] = bytes.Length,
            ["decode_error"] = decodeError,
            ["text"] = text,
        };
    }

    private static bool IsJson(string media) => media == "application/json" || media.EndsWith("+json", StringComparison.Ordinal) || media == "text/json";

    private static byte[] Decode(byte[] bytes, string encoding)
    {
        using var input = new MemoryStream(bytes);
        using Stream decoder = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => new GZipStream(input, CompressionMode.Decompress),
        };
        using var output = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = decoder.Read(buffer)) > 0 && output.Length < MaxDecoded)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private static bool TryPrettyJson(byte[] bytes, out string? pretty)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var buffer = new ArrayBufferWriter<byte>(bytes.Length * 2);
            using (var writer = new Utf8JsonWriter(buffer, PrettyOptions))
            {
                doc.RootElement.WriteTo(writer);
            }

            pretty = Encoding.UTF8.GetString(buffer.WrittenSpan);
            return true;
        }
        catch (JsonException)
        {
            pretty = null;
            return false;
        }
    }

    private static readonly JsonWriterOptions PrettyOptions = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string PrettyForm(string form)
    {
        var sb = new StringBuilder();
        foreach (string pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            sb.Append(key).Append(" = ").Append(value).Append('\n');
        }

        return sb.ToString();
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        for (int offset = 0; offset < bytes.Length; offset += 16)
        {
            ReadOnlySpan<byte> line = bytes.Slice(offset, Math.Min(16, bytes.Length - offset));
            sb.Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                sb.Append(i < line.Length ? line[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + " " : "   ");
                if (i == 7)
                {
                    sb.Append(' ');
                }
            }

            sb.Append(' ');
            foreach (byte b in line)
            {
                sb.Append(b is >= 32 and < 127 ? (char)b : '.');
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
