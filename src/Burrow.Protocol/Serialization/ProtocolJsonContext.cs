using System.Text.Json.Serialization;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Serialization;

/// <summary>
/// The source-generated serializer for every message. The options here are part of the wire
/// format: snake_case names, nulls left out, <c>type</c> allowed anywhere in the object (peers in
/// other languages do not order it first), unknown fields skipped, and nulls or duplicates that
/// the records do not allow refused.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
