using System.Net;
using Burrow.Edge.Agents;
using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Admin;

/// <summary>
/// The admin listener: the REST API under <c>/api/v1</c> (API key required), its OpenAPI document,
/// and the admin web page. A Kestrel of its own, apart from the public listeners, so it can stay
/// on loopback (the default) while the edge faces the internet.
/// </summary>
internal sealed class AdminServer : IAsyncDisposable
{
    public const string ApiPrefix = "/api/v1";
    public const string OpenApiPath = "/api/v1/openapi.json";
    public const string MetricsPath = "/metrics";

    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private AdminServer(WebApplication app, ListenOptions listen)
    {
        _app = app;
        _listen = listen;
    }

    /// <summary>The bound address, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public static AdminServer Create(IPEndPoint endPoint, IControlStore store, SessionRegistry sessions, Routing.PinnedPolicies pinned, Cluster.ClusterState cluster, EdgeOptions options, TimeProvider time,
        OpenTelemetry.Metrics.MeterProvider? meters, Action<ILoggingBuilder>? configureLogging, Certificates.CertificateRevocation? revocation = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "burrow-admin" });
        Burrow.Edge.Hosting.SignalFreeLifetime.Use(builder.Services);
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        Errors.ListenFailure.QuietHostStartFailures(builder.Logging);
        builder.WebHost.UseKestrelCore();
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                bound = listen;
            });
        });

        IServiceCollection services = builder.Services;
        services.AddRouting();
        services.AddSingleton(store);
        services.AddSingleton(sessions);
        services.AddSingleton(pinned);
        services.AddSingleton(cluster);
        services.AddSingleton(options);
        services.AddSingleton(time);
        if (revocation is not null)
        {
            services.AddSingleton(revocation);
        }

        services.AddSingleton<AdminRoutes>();
        services.AddSingleton<AdminAuthentication>();
        services.AddSingleton<AdminExceptionHandling>();
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            // The source-generated context only, no reflection behind it: under Native AOT there is
            // none, so the JIT build (and its tests) must not lean on it either (the OpenAPI document
            // asks for a schema of every parameter type, hence the primitives in the context).
            json.SerializerOptions.TypeInfoResolverChain.Clear();
            json.SerializerOptions.TypeInfoResolverChain.Add(AdminJsonContext.Default);
        });
        // Bad bodies and parameters throw, so that they are answered as JSON errors (8004) like every other failure.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Burrow admin API";
            document.Info.Version = "v1";
            document.Info.Description = "Accounts, authtokens, reserved domains and TCP addresses, live sessions and tunnels, audit events. "
                + "Authenticate with 'Authorization: Bearer <API key>'. Errors are {error_code, status_code, msg}.";
            return Task.CompletedTask;
        }));

        WebApplication app = builder.Build();
        AdminExceptionHandling errors = app.Services.GetRequiredService<AdminExceptionHandling>();
        AdminAuthentication authentication = app.Services.GetRequiredService<AdminAuthentication>();
        app.Use(next => context => errors.InvokeAsync(context, next));
        app.Use(next => context => authentication.InvokeAsync(context, next));
        if (meters is not null)
        {
            // Behind the API key like /api/v1: a Prometheus job sends it with authorization.credentials_file.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, context => context.Request.Path == MetricsPath, path: null, configureBranchedPipeline: null, optionsName: null);
        }

        app.UseRouting();
        app.MapOpenApi(OpenApiPath);
        AdminWebPage.Map(app);
        app.Services.GetRequiredService<AdminRoutes>().Map(app);
        return new AdminServer(app, bound!);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        EndPoint = _listen.IPEndPoint;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
