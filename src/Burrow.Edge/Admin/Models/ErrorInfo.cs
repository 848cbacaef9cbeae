namespace Burrow.Edge.Admin.Models;

/// <summary>An error answered by the admin API.</summary>
/// <param name="ErrorCode">The stable code, <c>ERR_BURROW_NNNN</c>; see docs/errors.md.</param>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Msg">What went wrong, for people.</param>
/// <param name="PolicyErrors">For ERR_BURROW_2021 (a traffic policy document refused): every mistake with its place; absent otherwise.</param>
public sealed record ErrorInfo(
    string ErrorCode,
    int StatusCode,
    string Msg,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<PolicyErrorInfo>? PolicyErrors = null);
