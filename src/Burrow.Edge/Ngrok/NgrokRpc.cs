using System.Buffers;
using System.Text.Json;
using Burrow.Mux.Streams;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// One request and its answer on an ngrok RPC stream (Auth, Bind, Unbind): the request is a raw
/// JSON object with no length in front and no half-close after it (the Go agent adds a newline,
/// the SDK nothing), so it is complete when the object's closing brace has arrived; the answer is
/// a raw JSON object, then FIN (the SDK reads to the end and would wait forever without it).
/// </summary>
internal static class NgrokRpc
{
    /// <summary>Most bytes a request may take: a Bind with a traffic policy is a few KiB; anything near this is hostile.</summary>
    public const int MaxRequestBytes = 256 * 1024;

    /// <summary>Reads one JSON object from <paramref name="stream"/>.</summary>
    /// <exception cref="NgrokRequestException">Not JSON, not an object, larger than <see cref="MaxRequestBytes"/>, or the stream ended first.</exception>
    public static async Task<JsonDocument> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxRequestBytes)
                    {
                        throw new NgrokRequestException($"the request is larger than {MaxRequestBytes / 1024} KiB");
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxRequestBytes));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await stream.ReadAsync(buffer.AsMemory(filled, Math.Min(buffer.Length, MaxRequestBytes) - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new NgrokRequestException(filled == 0 ? "the stream ended before the request" : "the stream ended in the middle of the request");
                }

                filled += read;
                if (CompleteLength(buffer.AsSpan(0, filled)) is int length)
                {
                    return JsonDocument.Parse(buffer.AsMemory(0, length).ToArray());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <paramref name="write"/>'s JSON object, then half-closes.</summary>
    public static async Task AnswerAsync(MultiplexedStream stream, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(output))
        {
            write(json);
        }

        await stream.WriteAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
    }

    /// <summary>The length of the first whole JSON value in <paramref name="data"/>, or null while more is needed.</summary>
    private static int? CompleteLength(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data, isFinalBlock: false, state: default);
            if (!reader.Read())
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new NgrokRequestException($"the request is not a JSON object (it starts with {reader.TokenType})");
            }

            return reader.TrySkip() ? (int)reader.BytesConsumed : null;
        }
        catch (JsonException ex)
        {
            throw new NgrokRequestException($"the request is not valid JSON: {ex.Message}");
        }
    }
}

/// <summary>An RPC request that cannot be read; the stream is reset and the session goes on.</summary>
internal sealed class NgrokRequestException(string message) : Exception(message);
