using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Burrow.Edge.Admin.Models;
using Burrow.Edge.Traffic;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin tail TUNNEL</c>: a tunnel's traffic as the edge sees it, live.</summary>
internal static class TrafficCommand
{
    public static Command Create(AdminSettings settings)
    {
        var tunnel = new Argument<string>("tunnel") { Description = "The tunnel: its id (tun_...), hostname or URL." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many recent entries to show first.", DefaultValueFactory = _ => 10 };
        var noFollow = new Option<bool>("--no-follow") { Description = "Show the recent entries and exit instead of following new ones." };
        var command = new Command("tail", "Follow a tunnel's requests (or tcp/tls connections) as the edge serves them: time, client, method, path, status, duration, bytes, error code. With --json, JSON lines.")
        {
            tunnel, lines, noFollow,
        };
        command.SetAction(settings, async (parse, client, json, ct) =>
        {
            string path = "tunnels/" + Uri.EscapeDataString(parse.GetValue(tunnel)!) + "/traffic";
            int backlog = Math.Max(0, parse.GetValue(lines));
            if (parse.GetValue(noFollow))
            {
                IReadOnlyList<TrafficEntry> recent = await client.GetAsync($"{path}?limit={backlog}", AdminJsonContext.Default.IReadOnlyListTrafficEntry, ct).ConfigureAwait(false);
                for (int i = recent.Count - 1; i >= 0; i--)
                {
                    AdminOutput.Line(json ? OneLine(recent[i]) : Describe(recent[i]));
                }

                return;
            }

            try
            {
                await foreach (string line in client.StreamLinesAsync($"{path}/stream?backlog={backlog}", ct).ConfigureAwait(false))
                {
                    AdminOutput.Line(json ? line : Describe(JsonSerializer.Deserialize(line, AdminJsonContext.Default.TrafficEntry)!));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C: the usual way to stop following.
            }
        });
        return command;
    }

    // One readable line, e.g. "12:04:31.207  203.0.113.9  GET /hook?id=1  200  12.4 ms  in 1.2 KB  out 310 B".
    private static string Describe(TrafficEntry e)
    {
        string what = e.Path.Length > 0 ? $"{e.Method} {e.Path}" : e.Method;
        string status = e.Status > 0 ? e.Status.ToString(CultureInfo.InvariantCulture) : "-";
        string error = e.ErrorCode is null ? "" : "  " + e.ErrorCode;
        return string.Create(CultureInfo.InvariantCulture,
            $"{e.Time.ToLocalTime():HH:mm:ss.fff}  {e.Client}  {what}  {status}  {e.DurationMs:0.#} ms  in {AdminOutput.Bytes(e.BytesIn)}  out {AdminOutput.Bytes(e.BytesOut)}{error}");
    }

    // As the stream sends it: one line per entry (the context itself writes indented JSON).
    private static string OneLine(TrafficEntry entry)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, entry, AdminJsonContext.Default.TrafficEntry);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
