using System.Reflection;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Burrow.Agent.Inspection;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Agent.Web;

// The inspector page: its static files (embedded, no build step), the live event stream, readable bodies and HAR export.
internal sealed partial class AgentApi
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    private void MapInspector(IEndpointRouteBuilder app)
    {
        app.MapGet("/", ctx =>
        {
            ctx.Response.Redirect("/inspect/http");
            return Task.CompletedTask;
        });
        app.MapGet("/inspect/http", ctx => ServeAssetAsync(ctx, "index.html"));
        app.MapGet("/assets/{file}", ctx => ServeAssetAsync(ctx, (string)ctx.Request.RouteValues["file"]!));
        app.MapGet("/inspect/events", EventsAsync);
        app.MapGet("/inspect/body/{id}/{part}", BodyAsync);
        app.MapGet("/inspect/har", HarAsync);
    }

    private static async Task ServeAssetAsync(HttpContext context, string file)
    {
        Stream? asset = typeof(AgentApi).Assembly.GetManifestResourceStream("inspector/" + file);
        if (asset is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out string? type))
        {
            asset?.Dispose();
            await WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError(context.Request.Path.Value ?? file)).ConfigureAwait(false);
            return;
        }

        await using (asset.ConfigureAwait(false))
        {
            context.Response.ContentType = type;
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
            context.Response.Headers["X-Frame-Options"] = "DENY";
            await asset.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Server-sent events: <c>request</c> for each new capture (newest last), <c>clear</c> when emptied.</summary>
    private async Task EventsAsync(HttpContext context)
    {
        CaptureStore? store = _runner.Captures;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        if (store is null)
        {
            return;
        }

        var events = Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnAdded(CapturedExchange e) => events.Writer.TryWrite("event: request\ndata: " + ApiJson.Request(e, withRaw: false).ToJsonString(Json) + "\n\n");
        void OnCleared() => events.Writer.TryWrite("event: clear\ndata: {}\n\n");
        store.Added += OnAdded;
        store.Cleared += OnCleared;
        try
        {
            await context.Response.WriteAsync(": burrow inspector\n\n", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            while (true)
            {
                using var keepalive = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                keepalive.CancelAfter(TimeSpan.FromSeconds(15));
                string message;
                try
                {
                    message = await events.Reader.ReadAsync(keepalive.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    message = ": keepalive\n\n";
                }

                await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The page went away.
        }
        finally
        {
            store.Added -= OnAdded;
            store.Cleared -= OnCleared;
        }
    }

    private Task BodyAsync(HttpContext context)
    {
        string id = (string)context.Request.RouteValues["id"]!;
        string part = (string)context.Request.RouteValues["part"]!;
        CapturedExchange? exchange = _runner.Captures?.Get(id);
        CapturedMessage? message = part switch
        {
            "request" => exchange?.Request,
            "response" => exchange?.Response,
            _ => null,
        };
        return message is null
            ? WriteErrorAsync(context, ErrorCodes.ApiNotFound, ErrorCodes.ApiNotFound.ToError($"The {part} body of request '{id}'"))
            : WriteJsonAsync(context, 200, BodyView.Describe(message));
    }

    private Task HarAsync(HttpContext context)
    {
        string? tunnelName = context.Request.Query["tunnel_name"];
        string? id = context.Request.Query["id"];
        List<CapturedExchange> list = id is not null
            ? (_runner.Captures?.Get(id) is { } one ? [one] : [])
            : _runner.Captures?.List(int.MaxValue, string.IsNullOrEmpty(tunnelName) ? null : tunnelName) ?? [];
        list.Reverse();
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"burrow-{DateTime.UtcNow:yyyyMMdd-HHmmss}.har\"";
        return WriteJsonAsync(context, 200, HarExport.Build(list));
    }
}
