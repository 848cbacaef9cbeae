using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Admin;

/// <summary>Admin API errors as JSON: <c>{error_code, status_code, msg}</c>, with the code's HTTP status.</summary>
internal static class AdminErrors
{
    public static IResult Result(ErrorCode code, params ReadOnlySpan<object?> args) => Result(code, code.FormatMessage(args));

    public static IResult Result(ErrorCode code, string message)
    {
        int status = code.HttpStatus ?? StatusCodes.Status500InternalServerError;
        return Results.Json(new ErrorInfo(code.Code, status, message), AdminJsonContext.Default.ErrorInfo, statusCode: status);
    }

    public static IResult NotFound(string kind, string id) => Result(ErrorCodes.AdminNotFound, kind, id);

    public static IResult BadRequest(string what) => Result(ErrorCodes.AdminBadRequest, what);

    /// <summary>
    /// A traffic policy document refused (ERR_BURROW_2021, 400): the first mistake in the message, every one of them with
    /// its line, column and key path in <c>policy_errors</c>. <paramref name="checkedFor"/> names the live tunnel's proto
    /// when the document was checked for it rather than for an http tunnel.
    /// </summary>
    public static IResult PolicyInvalid(IReadOnlyList<Policy.Loading.PolicyError> errors, string? checkedFor)
    {
        Policy.Loading.PolicyError first = errors[0];
        string more = errors.Count > 1 ? $" (and {errors.Count - 1} more: {string.Join("; ", errors.Skip(1).Take(4))})" : "";
        string live = checkedFor is null ? "" : $" (checked for the {checkedFor} tunnel live on it)";
        ErrorCode code = ErrorCodes.TrafficPolicyInvalid;
        int status = code.HttpStatus ?? StatusCodes.Status400BadRequest;
        var info = new ErrorInfo(code.Code, status, code.FormatMessage(first.Where, first.Message + more + live),
            [.. errors.Select(e => new PolicyErrorInfo(e.Line, e.Column, e.Path, e.Message))]);
        return Results.Json(info, AdminJsonContext.Default.ErrorInfo, statusCode: status);
    }

    /// <summary>The answer for a store failure; messages of the store never hold secrets.</summary>
    public static IResult FromStore(StoreException ex) => ex.Kind switch
    {
        StoreErrorKind.Conflict => Result(ErrorCodes.AdminConflict, ex.Message.TrimEnd('.')),
        StoreErrorKind.NotFound => Result(ErrorCodes.AdminNotFound, ex.Message),
        StoreErrorKind.Invalid => Result(ErrorCodes.AdminBadRequest, ex.Message.TrimEnd('.')),
        _ => Result(ErrorCodes.StoreUnavailable, ex.Message.TrimEnd('.')),
    };

    public static Task WriteAsync(HttpContext context, ErrorCode code, string message) =>
        Result(code, message).ExecuteAsync(context);
}
