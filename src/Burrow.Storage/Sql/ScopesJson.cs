using System.Text.Json;
using System.Text.Json.Serialization;

namespace Burrow.Storage.Sql;

/// <summary>Scopes are kept as one JSON column, so adding a scope needs no migration.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuthtokenScopes))]
internal sealed partial class ScopesJson : JsonSerializerContext
{
    public static string Write(AuthtokenScopes scopes) => JsonSerializer.Serialize(scopes, Default.AuthtokenScopes);

    public static AuthtokenScopes Read(string json) => JsonSerializer.Deserialize(json, Default.AuthtokenScopes) ?? Burrow.Storage.AuthtokenScopes.Unrestricted;
}
