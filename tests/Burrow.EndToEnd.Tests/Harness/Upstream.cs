using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>The local service behind the tunnel in tests: a small Kestrel app on 127.0.0.1 with an endpoint per behaviour.</summary>
public sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Upstream(WebApplication app, int port, int h2cPort, int tlsPort, System.Collections.Concurrent.ConcurrentQueue<string> recorded)
    {
        _app = app;
        Recorded = recorded;
        Port = port;
        H2cPort = h2cPort;
        TlsPort = tlsPort;
    }

    /// <summary>What <c>/record/...</c> received, as <c>METHOD path-and-query body</c>, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Recorded { get; }

    /// <summary>HTTPS port with a self-signed certificate nobody trusts.</summary>
    public int TlsPort { get; }

    /// <summary>HTTP/1.1 port.</summary>
    public int Port { get; }

    /// <summary>HTTP/2 cleartext (prior knowledge) port, for gRPC.</summary>
    public int H2cPort { get; }

    /// <summary>The self-signed certificate (CN=localhost) the TLS port presents; one per test run.</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2 TlsCertificate { get; } = SelfSigned();

    public static async Task<Upstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(TlsCertificate));
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.UseWebSockets();
        Map(app);
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<string>();
        app.Map("/record/{**rest}", async (HttpRequest request) =>
        {
            string body = await new StreamReader(request.Body).ReadToEndAsync();
            recorded.Enqueue($"{request.Method} {request.Path}{request.QueryString} {body}");
            return Results.Json(new { method = request.Method, path = request.Path.Value, received = body, count = recorded.Count });
        });
        app.MapGrpcService<EchoGrpcService>();
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).ToArray();
        return new Upstream(app, addresses[0], addresses[1], addresses[2], recorded);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    /// <summary>The bytes /bytes/{n} sends: deterministic, so a test can hash what it expects.</summary>
    public static void Fill(Span<byte> buffer, long offset)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            long position = offset + i;
            buffer[i] = (byte)((position * 31) ^ (position >> 8));
        }
    }

    public static string ExpectedHash(long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        for (long offset = 0; offset < length; offset += buffer.Length)
        {
            int count = (int)Math.Min(buffer.Length, length - offset);
            Fill(buffer.AsSpan(0, count), offset);
            hash.AppendData(buffer, 0, count);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Map(WebApplication app)
    {
        app.MapGet("/hello", () => "hello from upstream");
        app.MapPost("/echo-hash", async (HttpRequest request) =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[64 * 1024];
            long length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }

            return string.Create(CultureInfo.InvariantCulture, $"{length} {Convert.ToHexStringLower(hash.GetHashAndReset())}");
        });
        app.MapGet("/bytes/{length:long}", async (long length, HttpResponse response) =>
        {
            response.ContentType = "application/octet-stream";
            response.ContentLength = length;
            byte[] buffer = new byte[64 * 1024];
            for (long offset = 0; offset < length; offset += buffer.Length)
            {
                int count = (int)Math.Min(buffer.Length, length - offset);
                Fill(buffer.AsSpan(0, count), offset);
                await response.Body.WriteAsync(buffer.AsMemory(0, count));
            }
        });
        app.MapGet("/headers", (HttpRequest request) =>
            Results.Json(request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        app.MapGet("/slow", async (int ms) =>
        {
            await Task.Delay(ms);
            return "slow answer";
        });
        app.MapGet("/chunked", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            for (int i = 0; i < 5; i++)
            {
                await response.WriteAsync($"line {i}\n");
                await response.Body.FlushAsync();
                await Task.Delay(300);
            }
        });
        app.MapGet("/sse", async (HttpResponse response) =>
        {
            response.ContentType = "text/event-stream";
            for (int i = 0; i < 4; i++)
            {
                await response.WriteAsync($"data: event {i}\n\n");
                await response.Body.FlushAsync();
                await Task.Delay(300);
            }
        });
        app.MapGet("/set-headers", (HttpResponse response) =>
        {
            response.Headers["X-Upstream-Secret"] = "s3cr3t";
            return "with headers";
        });
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[256 * 1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        });
    }
}
