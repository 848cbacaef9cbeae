using System.Globalization;
using Burrow.Agent.Metrics;
using Burrow.Agent.Status;
using Microsoft.AspNetCore.WebUtilities;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Burrow.Cli.Screen;

/// <summary>
/// What the live console shows, built from one <see cref="AgentStatus"/>: pure, so tests render it to text. The
/// layout is ngrok's (session status, version, latency, web interface, forwarding lines, connection counters, the
/// last requests), which users already know how to read.
/// </summary>
internal static class ConsoleView
{
    private const int LabelWidth = 18;

    /// <summary>What the screen shows besides the status.</summary>
    /// <param name="WebInterface">The inspector's URL, or <see langword="null"/>.</param>
    /// <param name="WebDisabled">Whether the config turned the web interface off.</param>
    /// <param name="Notes">Extra label/value rows (the local edge's CA).</param>
    /// <param name="Requests">The last requests, newest first.</param>
    /// <param name="LastNotice">The agent's last line for the user.</param>
    internal sealed record Extras(string? WebInterface, bool WebDisabled, IReadOnlyList<(string Label, string Value)> Notes, IReadOnlyList<CompletedRequest> Requests, string? LastNotice);

    public static IRenderable Build(AgentStatus status, Extras extras)
    {
        var rows = new List<IRenderable>
        {
            new Columns(new Text("burrow", new Style(Color.Aqua, decoration: Decoration.Bold)), new Text("(Ctrl+C to quit)", new Style(Color.Grey)) { Justification = Justify.Right }) { Expand = true },
            Text.Empty,
        };

        var info = new Grid().AddColumn(new GridColumn().Width(LabelWidth).NoWrap()).AddColumn(new GridColumn());
        info.AddRow(Label("Session Status"), SessionText(status));
        info.AddRow(Label("Version"), new Text(status.Version));
        info.AddRow(Label("Edge"), new Text(status.EdgeAddress));
        info.AddRow(Label("Latency"), new Text(status.Latency is { } rtt ? FormatDuration(rtt) : "-"));
        if (status.Legs.Count > 1)
        {
            info.AddRow(Label("Legs"), LegsText(status.Legs));
        }

        info.AddRow(Label("Web Interface"), new Text(extras.WebInterface ?? (extras.WebDisabled ? "disabled (web_addr: false)" : "not started")));
        foreach ((string label, string value) in extras.Notes)
        {
            info.AddRow(Label(label), new Text(value));
        }

        foreach (TunnelStatus tunnel in status.Tunnels)
        {
            if (tunnel.PublicUrls.Count == 0)
            {
                info.AddRow(Label("Forwarding"), new Text($"({tunnel.Name}: waiting for the edge) -> {tunnel.Upstream}", new Style(Color.Grey)));
            }

            foreach (string url in tunnel.PublicUrls)
            {
                info.AddRow(Label("Forwarding"), new Text($"{url} -> {tunnel.Upstream}"));
            }
        }

        if (status.Tunnels.Count == 0)
        {
            info.AddRow(Label("Forwarding"), new Text("(no tunnels: started with --none)", new Style(Color.Grey)));
        }

        rows.Add(info);
        rows.Add(Text.Empty);
        rows.Add(Counters(status.Tunnels));
        rows.Add(Text.Empty);
        rows.Add(new Text("HTTP Requests", new Style(decoration: Decoration.Bold)));
        rows.Add(new Text("-------------"));
        if (extras.Requests.Count == 0)
        {
            rows.Add(new Text(status.Tunnels.Any(t => t.Proto == "http") ? "(none yet)" : "(none: no http tunnel)", new Style(Color.Grey)));
        }
        else
        {
            var requests = new Grid()
                .AddColumn(new GridColumn().NoWrap())
                .AddColumn(new GridColumn().NoWrap())
                .AddColumn(new GridColumn().NoWrap())
                .AddColumn(new GridColumn().NoWrap().PadRight(0));
            foreach (CompletedRequest request in extras.Requests)
            {
                string line = $"{request.Method} {request.Path}";
                requests.AddRow(
                    new Text(request.Started.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture), new Style(Color.Grey)),
                    new Text(line.Length > 60 ? line[..59] + "…" : line),
                    new Text($"{request.StatusCode} {ReasonPhrases.GetReasonPhrase(request.StatusCode)}".TrimEnd(), StatusStyle(request.StatusCode)),
                    new Text(FormatDuration(request.Duration) + (request.Replay ? "  (replay)" : ""), new Style(Color.Grey)));
            }

            rows.Add(requests);
        }

        if (extras.LastNotice is { } notice && status.Session != SessionStatus.Online)
        {
            rows.Add(Text.Empty);
            rows.Add(new Text(notice, new Style(Color.Yellow)));
        }

        return new Rows(rows);
    }

    /// <summary>One row of counters per tunnel: ttl, opn, rt1, rt5, p50, p90 (ngrok's columns) from the tunnel's connection metrics.</summary>
    private static Grid Counters(IReadOnlyList<TunnelStatus> tunnels)
    {
        var grid = new Grid().AddColumn(new GridColumn().Width(LabelWidth).NoWrap());
        for (int i = 0; i < 6; i++)
        {
            grid.AddColumn(new GridColumn().Width(8).NoWrap());
        }

        grid.AddRow(Label("Connections"), Head("ttl"), Head("opn"), Head("rt1"), Head("rt5"), Head("p50"), Head("p90"));
        foreach (TunnelStatus tunnel in tunnels)
        {
            MetricsSnapshot c = tunnel.Connections;
            grid.AddRow(
                new Text(tunnels.Count > 1 ? "  " + tunnel.Name : "", new Style(Color.Grey)),
                new Text(c.Count.ToString(CultureInfo.InvariantCulture)),
                new Text(c.Gauge.ToString(CultureInfo.InvariantCulture)),
                new Text(c.Rate1.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(c.Rate5.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(FormatDuration(c.P50)),
                new Text(FormatDuration(c.P90)));
        }

        return grid;
    }

    /// <summary>A duration people read at a glance: 0ms, 12ms, 1.53s, 2m05s.</summary>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 120 ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s")
        : duration.TotalSeconds >= 1 ? duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s"
        : duration.TotalMilliseconds >= 10 ? duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + "ms"
        : duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + "ms";

    private static Text SessionText(AgentStatus status) => status.Session switch
    {
        SessionStatus.Online => new Text("online", new Style(Color.Green, decoration: Decoration.Bold)),
        SessionStatus.Reconnecting => new Text("reconnecting" + (status.Reason is { } r ? $" ({r})" : ""), new Style(Color.Red)),
        SessionStatus.Connecting => new Text("connecting", new Style(Color.Yellow)),
        SessionStatus.Stopping => new Text("stopping (Ctrl+C again to quit at once)", new Style(Color.Yellow)),
        _ => new Text("stopped", new Style(Color.Grey)),
    };

    /// <summary>The legs line: how many carry traffic, then each leg's node and latency (or why it is down), e.g. <c>2/2 online: edge-1 12ms, edge-2 15ms</c>.</summary>
    private static Text LegsText(IReadOnlyList<LegStatus> legs)
    {
        int online = legs.Count(l => l.Session == SessionStatus.Online);
        IEnumerable<string> each = legs.Select(l =>
        {
            string node = l.NodeName ?? l.EdgeAddress;
            return l.Session == SessionStatus.Online
                ? $"{node} {(l.Latency is { } rtt ? FormatDuration(rtt) : "-")}"
                : $"{node} ({l.Session.ToString().ToLowerInvariant()})";
        });
        return new Text(
            string.Create(CultureInfo.InvariantCulture, $"{online}/{legs.Count} online: {string.Join(", ", each)}"),
            online == legs.Count ? Style.Plain : new Style(Color.Yellow));
    }

    private static Style StatusStyle(int code) => code switch
    {
        >= 500 => new Style(Color.Red),
        >= 400 => new Style(Color.Yellow),
        >= 300 => new Style(Color.Aqua),
        _ => new Style(Color.Green),
    };

    private static Text Label(string text) => new(text);

    private static Text Head(string text) => new(text, new Style(Color.Grey));
}
