using System.Text.Json;
using System.Text.Json.Serialization;

namespace Burrow.Edge.Admin.Models;

/// <summary>
/// The admin API's JSON, source-generated, in snake_case: the server writes with it and
/// <c>burrow admin</c> reads with it, so both ends agree on every field name.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AccountInfo))]
[JsonSerializable(typeof(IReadOnlyList<AccountInfo>))]
[JsonSerializable(typeof(AccountRequest))]
[JsonSerializable(typeof(AuthtokenInfo))]
[JsonSerializable(typeof(IReadOnlyList<AuthtokenInfo>))]
[JsonSerializable(typeof(CreatedAuthtokenInfo))]
[JsonSerializable(typeof(AuthtokenRequest))]
[JsonSerializable(typeof(ReservedDomainInfo))]
[JsonSerializable(typeof(IReadOnlyList<ReservedDomainInfo>))]
[JsonSerializable(typeof(ReservedDomainRequest))]
[JsonSerializable(typeof(ReservedAddressInfo))]
[JsonSerializable(typeof(IReadOnlyList<ReservedAddressInfo>))]
[JsonSerializable(typeof(ReservedAddressRequest))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(IReadOnlyList<SessionInfo>))]
[JsonSerializable(typeof(TunnelInfo))]
[JsonSerializable(typeof(IReadOnlyList<TunnelInfo>))]
[JsonSerializable(typeof(AuditEventInfo))]
[JsonSerializable(typeof(IReadOnlyList<AuditEventInfo>))]
[JsonSerializable(typeof(CertificateInfo))]
[JsonSerializable(typeof(IReadOnlyList<CertificateInfo>))]
[JsonSerializable(typeof(RevokeCertificateRequest))]
[JsonSerializable(typeof(NodeInfo))]
[JsonSerializable(typeof(IReadOnlyList<NodeInfo>))]
[JsonSerializable(typeof(ErrorInfo))]
[JsonSerializable(typeof(PolicyErrorInfo))]
[JsonSerializable(typeof(Burrow.Edge.Traffic.TrafficEntry))]
[JsonSerializable(typeof(IReadOnlyList<Burrow.Edge.Traffic.TrafficEntry>))]
// Route and query parameter types: the OpenAPI document describes each with a JSON schema.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(DateTimeOffset?))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
