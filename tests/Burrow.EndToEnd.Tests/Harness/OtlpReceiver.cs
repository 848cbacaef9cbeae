using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// An OTLP/HTTP receiver on loopback, in the test process: takes what exporters POST (<c>/v1/traces</c>,
/// <c>/v1/metrics</c>), decodes from the protobuf by hand the few fields a test asserts on (spans' ids and names, who
/// sent metrics), and answers 200 with an empty message, as a collector does.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<string, int> _metricExports = new(StringComparer.Ordinal);

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base endpoint, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    /// <summary>Metric exports received, by the sending service's <c>service.name</c>.</summary>
    public IReadOnlyDictionary<string, int> MetricExports => _metricExports;

    public static async Task<OtlpReceiver> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (ReceivedSpan span in Decode(body.ToArray()))
            {
                receiver._spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            // ExportMetricsServiceRequest → resource_metrics (1) → resource (1): the same shape as for spans.
            foreach ((int field, ReadOnlyMemory<byte> resourceMetrics) in Fields(body.ToArray()))
            {
                foreach ((int f, ReadOnlyMemory<byte> resource) in field == 1 ? Fields(resourceMetrics) : [])
                {
                    if (f == 1)
                    {
                        receiver._metricExports.AddOrUpdate(ServiceName(resource), 1, (_, n) => n + 1);
                    }
                }
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.Endpoint = app.Urls.First();
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>ExportTraceServiceRequest → resource_spans (1) → resource (1) / scope_spans (2) → spans (2).</summary>
    private static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach ((int field, ReadOnlyMemory<byte> resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            string service = "";
            foreach ((int f, ReadOnlyMemory<byte> value) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    service = ServiceName(value);
                }
                else if (f == 2)
                {
                    foreach ((int sf, ReadOnlyMemory<byte> span) in Fields(value))
                    {
                        if (sf == 2)
                        {
                            spans.Add(DecodeSpan(span, service));
                        }
                    }
                }
            }
        }

        return spans;
    }

    private static ReceivedSpan DecodeSpan(ReadOnlyMemory<byte> span, string service)
    {
        string traceId = "", spanId = "", parentId = "", name = "";
        foreach ((int field, ReadOnlyMemory<byte> value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parentId = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Encoding.UTF8.GetString(value.Span); break;
            }
        }

        return new ReceivedSpan(service, name, traceId, spanId, parentId);
    }

    // Resource.attributes (1): KeyValue { key (1), value (2): AnyValue { string_value (1) } }.
    private static string ServiceName(ReadOnlyMemory<byte> resource)
    {
        foreach ((int field, ReadOnlyMemory<byte> attribute) in Fields(resource))
        {
            if (field != 1)
            {
                continue;
            }

            string key = "";
            string value = "";
            foreach ((int f, ReadOnlyMemory<byte> part) in Fields(attribute))
            {
                if (f == 1)
                {
                    key = Encoding.UTF8.GetString(part.Span);
                }
                else if (f == 2)
                {
                    foreach ((int vf, ReadOnlyMemory<byte> v) in Fields(part))
                    {
                        if (vf == 1)
                        {
                            value = Encoding.UTF8.GetString(v.Span);
                        }
                    }
                }
            }

            if (key == "service.name")
            {
                return value;
            }
        }

        return "";
    }

    /// <summary>The length-delimited fields of a protobuf message, by number; other wire types are skipped.</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message.Span, ref at);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    Varint(message.Span, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    int length = (int)Varint(message.Span, ref at);
                    fields.Add((field, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7} at {at}");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}

/// <summary>A span as received: which service sent it, its name and its ids (lower-case hex).</summary>
public sealed record ReceivedSpan(string Service, string Name, string TraceId, string SpanId, string ParentSpanId);
