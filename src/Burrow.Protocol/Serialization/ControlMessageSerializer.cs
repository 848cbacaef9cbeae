using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Serialization;

/// <summary>
/// Converts messages to and from their wire form: a u32 big-endian length, then that many bytes
/// of UTF-8 JSON. Stream I/O lives in <see cref="ControlMessageReader"/> and
/// <see cref="ControlMessageWriter"/>; this class is for whole buffers (tests, docs, tools).
/// </summary>
public static class ControlMessageSerializer
{
    /// <summary>The size of the length prefix in front of each message, in bytes.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>The serializer settings of the wire, with empty collections left out when writing.</summary>
    internal static JsonTypeInfo<ControlMessage> TypeInfo { get; } = CreateTypeInfo();

    /// <summary>
    /// Writer settings. The relaxed encoder leaves <c>+</c>, <c>&lt;</c>, <c>'</c> and non-ASCII text
    /// as they are; the messages are never embedded in HTML, and readable bytes make golden tests
    /// and packet captures easier to check.
    /// </summary>
    internal static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Serializes a message to its JSON text, without the length prefix.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The compact JSON object, exactly as sent on the wire.</returns>
    public static string SerializeToJson(ControlMessage message) =>
        Encoding.UTF8.GetString(SerializeToUtf8Bytes(message));

    /// <summary>Serializes a message to UTF-8 JSON, without the length prefix.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] SerializeToUtf8Bytes(ControlMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonSerializer.SerializeToUtf8Bytes(message, TypeInfo);
    }

    /// <summary>Serializes a message to a whole frame: the length prefix, then the JSON.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The bytes as written on the stream.</returns>
    public static byte[] SerializeToFrame(ControlMessage message)
    {
        byte[] json = SerializeToUtf8Bytes(message);
        byte[] frame = new byte[LengthPrefixSize + json.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)json.Length);
        json.CopyTo(frame.AsSpan(LengthPrefixSize));
        return frame;
    }

    /// <summary>Parses one message from its JSON (without the length prefix).</summary>
    /// <param name="utf8Json">The JSON bytes of exactly one object.</param>
    /// <returns>The message, as its concrete record type.</returns>
    /// <exception cref="ProtocolException">
    /// <c>ERR_BURROW_4001</c> when the bytes are not a JSON object, lack a string <c>type</c>, or do
    /// not fit the message's shape; <c>ERR_BURROW_4003</c> when the <c>type</c> is not one this
    /// version knows.
    /// </exception>
    public static ControlMessage Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        // Finding the type first turns "unknown type" into its own code and keeps
        // System.Text.Json's wording about abstract types away from users.
        string type = ReadType(utf8Json);
        try
        {
            return JsonSerializer.Deserialize(utf8Json, TypeInfo)
                ?? throw ProtocolException.Malformed("the message is null");
        }
        catch (JsonException ex)
        {
            throw ProtocolException.Malformed($"'{type}' message: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw ProtocolException.Malformed($"'{type}' message: {ex.Message}", ex);
        }
    }

    /// <summary>Appends a whole frame (prefix and JSON) to <paramref name="buffer"/>.</summary>
    /// <returns>The length of the JSON, which is also the value of the prefix.</returns>
    internal static int WriteFrame(ControlMessage message, PooledBufferWriter buffer, Utf8JsonWriter json)
    {
        int start = buffer.WrittenCount;
        // Reserve the prefix now and fill it in once the JSON's length is known.
        buffer.GetSpan(LengthPrefixSize);
        buffer.Advance(LengthPrefixSize);
        json.Reset(buffer);
        JsonSerializer.Serialize(json, message, TypeInfo);
        json.Flush();
        int length = buffer.WrittenCount - start - LengthPrefixSize;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.WrittenMemory.Span[start..], (uint)length);
        return length;
    }

    private static string ReadType(ReadOnlySpan<byte> utf8Json)
    {
        string? type = null;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw ProtocolException.Malformed("the message is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (!isType)
                {
                    reader.Skip();
                }
                else if (reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else
                {
                    throw ProtocolException.Malformed("the 'type' field is not a string");
                }
            }
        }
        catch (JsonException ex)
        {
            throw ProtocolException.Malformed($"invalid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // GetString on text that is not valid UTF-8.
            throw ProtocolException.Malformed($"invalid JSON: {ex.Message}", ex);
        }

        if (type is null)
        {
            throw ProtocolException.Malformed("the 'type' field is missing");
        }

        if (!MessageTypes.IsKnown(type))
        {
            throw ProtocolException.Unexpected($"unknown message type {ErrorText.Quote(type)}");
        }

        return type;
    }

    private static JsonTypeInfo<ControlMessage> CreateTypeInfo()
    {
        var options = new JsonSerializerOptions(ProtocolJsonContext.Default.Options)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = ProtocolJsonContext.Default.WithAddedModifier(OmitEmptyCollections),
        };
        options.MakeReadOnly();
        return (JsonTypeInfo<ControlMessage>)options.GetTypeInfo(typeof(ControlMessage));
    }

    // Endpoint options have seven lists and most are empty: leaving them out keeps bind messages
    // short (and auth's features, tunnel_stats' durations). Reading treats a missing list as
    // empty, so nothing is lost.
    private static void OmitEmptyCollections(JsonTypeInfo typeInfo)
    {
        foreach (JsonPropertyInfo property in typeInfo.Properties)
        {
            if (typeof(IReadOnlyCollection<string>).IsAssignableFrom(property.PropertyType))
            {
                // Replaces the null-skipping ignore condition, so nulls are left out here too.
                property.ShouldSerialize = static (_, value) => value is not (null or IReadOnlyCollection<string> { Count: 0 });
            }
            else if (typeof(IReadOnlyCollection<long>).IsAssignableFrom(property.PropertyType))
            {
                property.ShouldSerialize = static (_, value) => value is not (null or IReadOnlyCollection<long> { Count: 0 });
            }
        }
    }
}
