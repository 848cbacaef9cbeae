using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

/// <summary>
/// The admin web page: static HTML, CSS and JS embedded in the assembly (no CDN, no build step).
/// It asks for the API key, keeps it in sessionStorage, and calls the same API as everyone else.
/// </summary>
internal static class AdminWebPage
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/admin.js", "admin.js", "text/javascript; charset=utf-8"),
        ("/admin.css", "admin.css", "text/css; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            byte[] body = Read(resource);
            endpoints.MapGet(path, (HttpContext context) =>
            {
                // The page holds no data; the headers keep it from being framed or sniffed, and scripts to its own origin.
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.XFrameOptions = "DENY";
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(body, contentType);
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Read(string name)
    {
        using Stream stream = typeof(AdminWebPage).Assembly.GetManifestResourceStream("Burrow.Edge.Admin.Web." + name)
            ?? throw new InvalidOperationException($"The admin page resource {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
