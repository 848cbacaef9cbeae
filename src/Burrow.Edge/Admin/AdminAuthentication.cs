using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Admin;

/// <summary>
/// Lets a request to <c>/api/v1</c> or <c>/metrics</c> through only with a live API key (<c>Authorization: Bearer brwk_...</c>).
/// The key is looked up by its SHA-256 digest in the store, so no secret is ever compared by
/// content here; an unknown, revoked or missing key gets 401 with ERR_BURROW_8001. The OpenAPI
/// document and the web page are public: they hold no data.
/// </summary>
internal sealed class AdminAuthentication
{
    private const string ApiKeyItem = "burrow.admin.api_key";
    private readonly IControlStore _store;

    public AdminAuthentication(IControlStore store)
    {
        _store = store;
    }

    /// <summary>The API key that authenticated the request.</summary>
    public static ApiKey KeyOf(HttpContext context) => (ApiKey)context.Items[ApiKeyItem]!;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        PathString path = context.Request.Path;
        bool guarded = (path.StartsWithSegments(AdminServer.ApiPrefix, StringComparison.Ordinal) && !path.Equals(AdminServer.OpenApiPath, StringComparison.Ordinal))
            || path.Equals(AdminServer.MetricsPath, StringComparison.Ordinal);
        if (!guarded)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        string header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            Challenge(context);
            await AdminErrors.WriteAsync(context, ErrorCodes.AdminUnauthorized, ErrorCodes.AdminUnauthorized.FormatMessage("no 'Authorization: Bearer' header was sent")).ConfigureAwait(false);
            return;
        }

        ApiKey? key = await _store.FindApiKeyAsync(header[7..].Trim(), context.RequestAborted).ConfigureAwait(false);
        if (key is null || key.IsRevoked)
        {
            Challenge(context);
            await AdminErrors.WriteAsync(context, ErrorCodes.AdminUnauthorized, ErrorCodes.AdminUnauthorized.FormatMessage("the API key is unknown or revoked")).ConfigureAwait(false);
            return;
        }

        context.Items[ApiKeyItem] = key;
        await next(context).ConfigureAwait(false);
    }

    private static void Challenge(HttpContext context) => context.Response.Headers.WWWAuthenticate = "Bearer realm=\"burrow-admin\"";
}
