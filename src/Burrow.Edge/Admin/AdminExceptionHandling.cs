using System.Text.Json;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Admin;

/// <summary>Turns failures into the API's JSON errors: bad bodies and parameters (8004), store failures (800x), anything else (5002 with a reference for the logs).</summary>
internal sealed partial class AdminExceptionHandling
{
    private readonly ILogger _logger;

    public AdminExceptionHandling(ILogger<AdminExceptionHandling> logger)
    {
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            IResult result;
            switch (ex)
            {
                case BadHttpRequestException bad:
                    result = AdminErrors.BadRequest((bad.InnerException is JsonException json ? "the body is not valid JSON: " + json.Message : bad.Message).TrimEnd('.'));
                    break;
                case StoreException store:
                    Log.StoreFailed(_logger, context.Request.Method, context.Request.Path, store.Kind, store.Message);
                    result = AdminErrors.FromStore(store);
                    break;
                default:
                    string reference = Guid.NewGuid().ToString("N")[..12];
                    Log.Failed(_logger, ex, context.Request.Method, context.Request.Path, reference);
                    result = AdminErrors.Result(ErrorCodes.InternalError, reference);
                    break;
            }

            context.Response.Clear();
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1800, EventName = "AdminStoreFailed", Level = LogLevel.Warning, Message = "Admin request {Method} {Path}: store {Kind}: {Reason}")]
        public static partial void StoreFailed(ILogger logger, string method, string path, StoreErrorKind kind, string reason);

        [LoggerMessage(EventId = 1801, EventName = "AdminRequestFailed", Level = LogLevel.Error, Message = "Admin request {Method} {Path} failed (reference {Reference})")]
        public static partial void Failed(ILogger logger, Exception exception, string method, string path, string reference);
    }
}
