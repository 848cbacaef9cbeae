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
