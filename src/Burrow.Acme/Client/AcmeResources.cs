using System.Text.Json;
using System.Text.Json.Serialization;

namespace Burrow.Acme.Client;

// The JSON objects of RFC 8555 section 7.1, as the client reads and writes them. Only the fields Burrow
// uses; unknown ones are ignored, as the RFC asks of clients.

/// <summary>The directory (RFC 8555 section 7.1.1).</summary>
internal sealed record AcmeDirectory(Uri NewNonce, Uri NewAccount, Uri NewOrder, Uri? RevokeCert, Uri? KeyChange, AcmeDirectoryMeta? Meta);

internal sealed record AcmeDirectoryMeta(Uri? TermsOfService, bool ExternalAccountRequired);

/// <summary>An identifier; Burrow only orders <c>dns</c> ones.</summary>
internal sealed record AcmeIdentifier(string Type, string Value)
{
    public static AcmeIdentifier Dns(string name) => new("dns", name);
}

internal sealed record AcmeAccountResource(string Status, IReadOnlyList<string>? Contact, Uri? Orders);

internal sealed record AcmeOrderResource(
    string Status, IReadOnlyList<AcmeIdentifier> Identifiers, IReadOnlyList<Uri> Authorizations, Uri Finalize, Uri? Certificate, AcmeProblem? Error);

internal sealed record AcmeAuthorizationResource(AcmeIdentifier Identifier, string Status, IReadOnlyList<AcmeChallengeResource> Challenges, bool Wildcard);

internal sealed record AcmeChallengeResource(string Type, Uri Url, string Status, string? Token, AcmeProblem? Error);

internal sealed record NewAccountRequest(bool? TermsOfServiceAgreed, IReadOnlyList<string>? Contact, bool? OnlyReturnExisting);

internal sealed record AccountUpdateRequest(IReadOnlyList<string>? Contact, string? Status);

internal sealed record NewOrderRequest(IReadOnlyList<AcmeIdentifier> Identifiers);

internal sealed record FinalizeRequest(string Csr);

internal sealed record RevokeRequest(string Certificate, int? Reason);

internal sealed record KeyChangeRequest(Uri Account, JsonElement OldKey);

/// <summary>An empty JSON object: the payload that tells the server a challenge is ready.</summary>
internal sealed record EmptyRequest;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(AcmeDirectory))]
[JsonSerializable(typeof(AcmeAccountResource))]
[JsonSerializable(typeof(AcmeOrderResource))]
[JsonSerializable(typeof(AcmeAuthorizationResource))]
[JsonSerializable(typeof(AcmeChallengeResource))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(NewAccountRequest))]
[JsonSerializable(typeof(AccountUpdateRequest))]
[JsonSerializable(typeof(NewOrderRequest))]
[JsonSerializable(typeof(FinalizeRequest))]
[JsonSerializable(typeof(RevokeRequest))]
[JsonSerializable(typeof(KeyChangeRequest))]
[JsonSerializable(typeof(EmptyRequest))]
internal sealed partial class AcmeJson : JsonSerializerContext;
