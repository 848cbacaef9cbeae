using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// The local service of the HTTP benchmarks: 1 KiB answers, large downloads and an upload sink, on 127.0.0.1:PORT.
int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 18090;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, port);
    k.Limits.MaxRequestBodySize = null;
});
var app = builder.Build();
byte[] kib = new byte[1024];
Array.Fill(kib, (byte)'x');
byte[] chunk = new byte[64 * 1024];
app.MapGet("/1k", (HttpResponse response) =>
{
    response.ContentType = "text/plain";
    response.ContentLength = kib.Length;
    return response.Body.WriteAsync(kib).AsTask();
});
app.MapGet("/bytes/{length:long}", async (long length, HttpResponse response) =>
{
    response.ContentType = "application/octet-stream";
    response.ContentLength = length;
    for (long sent = 0; sent < length; sent += chunk.Length)
    {
        await response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
    }
});
// Uploads: reads the whole body and answers with its length, so a benchmark can check the count.
app.MapPost("/sink", async (HttpRequest request) =>
{
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    int read;
    while ((read = await request.Body.ReadAsync(buffer)) > 0)
    {
        total += read;
    }

    return Results.Text(total.ToString(CultureInfo.InvariantCulture));
});
Console.WriteLine($"upstream listening on 127.0.0.1:{port}");
await app.RunAsync();
