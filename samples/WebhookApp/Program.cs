// A webhook receiver. Run it with an edge configured and it is served only through its Burrow tunnel (no local port):
//   Burrow__ServerAddress=edge.example.com:4443 Burrow__Authtoken=brw_... dotnet run
// Without one it is a plain app on its usual port. Its tests give it a public URL with Burrow.Testing.
using Burrow.Agent.AspNetCore;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
if (!string.IsNullOrEmpty(builder.Configuration["Burrow:ServerAddress"]))
{
    builder.WebHost.UseBurrowTunnel();
}

builder.Services.AddSingleton<WebhookInbox>();
WebApplication app = builder.Build();

app.MapPost("/webhooks/{source}", async (string source, HttpRequest request, WebhookInbox inbox) =>
{
    using var reader = new StreamReader(request.Body);
    inbox.Add(new ReceivedWebhook(source, await reader.ReadToEndAsync(request.HttpContext.RequestAborted), DateTimeOffset.UtcNow));
    return Results.Accepted();
});
app.MapGet("/webhooks", (WebhookInbox inbox) => inbox.All());
// Where a provider should send webhooks: the tunnel's URL when there is one.
app.MapGet("/public-url", async (HttpContext context) =>
    context.RequestServices.GetService<BurrowTunnelProvider>() is { } tunnels
        ? (await tunnels.GetTunnelAsync(context.RequestAborted)).Url.ToString()
        : $"{context.Request.Scheme}://{context.Request.Host}/");

app.Run();
