using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Burrow.Edge.Telemetry;

/// <summary>
/// Collects the edge's meters with the OpenTelemetry SDK: for the Prometheus scrape at <c>/metrics</c> on the admin
/// listener, and for OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable names a collector.
/// </summary>
internal static class EdgeTelemetry
{
    /// <summary>True when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector.</summary>
    public static bool OtlpConfigured => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    public static MeterProvider Start()
    {
        MeterProviderBuilder builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("burrow-edge", serviceVersion: typeof(EdgeTelemetry).Assembly.GetName().Version?.ToString(3)))
            // Not the runtime's own System.Runtime meter: names such as dotnet.timer.count break Prometheus' naming rules
            // (promtool refuses a _count suffix outside histograms).
            .AddMeter(EdgeMetrics.MeterName)
            .AddPrometheusExporter();
        if (OtlpConfigured)
        {
            // Endpoint, protocol, headers and interval come from the standard OTEL_* variables.
            builder.AddOtlpExporter();
        }

        return builder.Build();
    }

    /// <summary>The edge's spans, sent over OTLP; <see langword="null"/> when no collector is named (then no span is made).</summary>
    public static TracerProvider? StartTracing() => OtlpConfigured
        ? Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService("burrow-edge", serviceVersion: typeof(EdgeTelemetry).Assembly.GetName().Version?.ToString(3)))
            .AddSource(EdgeTracing.SourceName)
            .AddOtlpExporter()
            .Build()
        : null;
}
