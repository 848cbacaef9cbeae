using System.Buffers;
using System.Text.Json;
using Burrow.Edge.Admin.Models;
using Burrow.Edge.Routing;
using Burrow.Edge.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private const int MaxTrafficLimit = 10_000;

    private void MapTraffic(RouteGroupBuilder api)
    {
        api.MapGet("/tunnels/{tunnel}/traffic", ListTraffic).WithTags("tunnels").Produces<IReadOnlyList<TrafficEntry>>().Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("The tunnel's recent requests (http) or connections (tcp, tls), newest first; the tunnel by id, hostname or URL. The edge keeps --traffic-log-size per tunnel.");
        api.MapGet("/tunnels/{tunnel}/traffic/stream", FollowTrafficAsync).WithTags("tunnels").Produces<TrafficEntry>(contentType: "application/x-ndjson").Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("The tunnel's traffic as JSON lines, live: the last `backlog` entries first (oldest first), then each one as it ends, until the tunnel goes away or the client disconnects.");
    }

    private IResult ListTraffic(string tunnel, [FromQuery] int? limit)
    {
        if (FindTunnel(tunnel) is not { } found)
        {
            return AdminErrors.NotFound("tunnel", tunnel);
        }

        IReadOnlyList<TrafficEntry> entries = found.Traffic.Recent(Math.Clamp(limit ?? found.Traffic.Capacity, 0, MaxTrafficLimit));
        return Results.Json(entries, AdminJsonContext.Default.IReadOnlyListTrafficEntry);
    }

    private async Task<IResult> FollowTrafficAsync(string tunnel, [FromQuery] int? backlog, HttpContext context)
    {
        if (FindTunnel(tunnel) is not { } found)
        {
            return AdminErrors.NotFound("tunnel", tunnel);
        }

        HttpResponse response = context.Response;
        response.ContentType = "application/x-ndjson";
        response.Headers.CacheControl = "no-store";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        // One line per entry: the writer, not the (indented) context, decides the layout.
        await using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Indented = false });
        try
        {
            await foreach (TrafficEntry entry in found.Traffic.FollowAsync(Math.Clamp(backlog ?? 10, 0, MaxTrafficLimit), context.RequestAborted).ConfigureAwait(false))
            {
                JsonSerializer.Serialize(writer, entry, AdminJsonContext.Default.TrafficEntry);
                writer.Flush();
                writer.Reset();
                response.BodyWriter.Write("\n"u8);
                await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The reader went away.
        }

        return Results.Empty;
    }

    /// <summary>A live tunnel by its id (<c>tun_...</c>), its hostname, or a URL of it (<c>https://demo.example.com</c>, <c>tcp://example.com:10001</c>).</summary>
    private Tunnel? FindTunnel(string key)
    {
        // A URL comes with its slashes escaped (%2F), which routing leaves as they are.
        string wanted = Uri.UnescapeDataString(key).Trim();
        string host = wanted.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(wanted, UriKind.Absolute, out Uri? url) && url.Scheme != "tcp" ? url.Host : wanted;
        foreach (Tunnel tunnel in _sessions.All.Where(s => !s.Expired).SelectMany(s => s.Tunnels))
        {
            if (tunnel.Id == wanted || string.Equals(tunnel.Hostname, host, StringComparison.OrdinalIgnoreCase) || string.Equals(tunnel.Hostname, wanted.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return tunnel;
            }
        }

        return null;
    }
}
