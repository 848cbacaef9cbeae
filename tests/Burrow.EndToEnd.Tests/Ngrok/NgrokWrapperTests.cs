using System.Globalization;
using System.Net;
using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Ngrok;

/// <summary>
/// <c>burrow</c> as a drop-in for tools that drive the <c>ngrok</c> binary: the npm <c>ngrok</c> package (v4), whose
/// <c>binPath</c> points at a folder where <c>ngrok</c> runs burrow. It runs <c>ngrok authtoken TOKEN --config=...</c>,
/// then <c>ngrok start --none --log=stdout --region=.. --config=...</c>, waits for <c>starting web service ... addr=</c>
/// and drives the agent API (<c>POST /api/tunnels</c>, <c>DELETE /api/tunnels/NAME</c>).
/// </summary>
public sealed class NgrokWrapperTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Connect_gives_a_url_that_serves_then_disconnect_and_kill_work()
    {
        await using var edge = await EdgeRun.StartAsync();
        await using var upstream = await Upstream.StartAsync();
        using var dir = new TempDirectory();
        string bin = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(bin);
        string ngrok = Path.Combine(bin, "ngrok");
        string command = string.Join(' ', BurrowProcess.Command.Select(Quote));
        // What a user does: a folder whose "ngrok" is burrow (here with the test's own isolation: no user config or state).
        await File.WriteAllTextAsync(ngrok, $"""
            #!/bin/sh
            export BURROW_STATE_DIR={Quote(Path.Combine(dir.Path, "state"))} XDG_CONFIG_HOME={Quote(Path.Combine(dir.Path, "xdg"))} BURROW_CONFIG= BURROW_SERVER= BURROW_AUTHTOKEN=
            exec {command} "$@"
            """, Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ngrok, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        int web = FreePort.Loopback();
        string config = Path.Combine(dir.Path, "ngrok.yml");
        // The two settings that point ngrok at another edge, and where its agent API listens.
        await File.WriteAllTextAsync(config, $"""
            server_addr: localhost:{edge.AgentAddress[(edge.AgentAddress.LastIndexOf(':') + 1)..]}
            root_cas: {edge.CaPath}
            web_addr: 127.0.0.1:{web.ToString(CultureInfo.InvariantCulture)}
            """, Ct);

        await using var wrapper = await NodeScriptRun.StartAsync("wrapper-connect.cjs", new Dictionary<string, object?>
        {
            ["addr"] = upstream.Port,
            ["authtoken"] = edge.Token,
            ["configPath"] = config,
            ["region"] = "eu",
            ["binDir"] = bin,
        });
        JsonElement connected = await wrapper.NextAsync(TimeSpan.FromSeconds(45), "connected", "error");
        Assert.True(connected.GetProperty("event").GetString() == "connected", $"{connected}\n{wrapper.Diagnostics()}");
        var url = new Uri(connected.GetProperty("url").GetString()!);
        Assert.Equal("https", url.Scheme);
        Assert.Contains($"authtoken: {edge.Token}", await File.ReadAllTextAsync(config, Ct), StringComparison.Ordinal);

        using var client = Clients.Create(edge.CaPath);
        Assert.Equal("hello from upstream", await client.GetStringAsync(new Uri(url, "/hello"), Ct));

        await wrapper.SendAsync("disconnect");
        await wrapper.NextAsync(TimeSpan.FromSeconds(15), "disconnected");
        using HttpResponseMessage gone = await client.GetAsync(new Uri(url, "/hello"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        await wrapper.SendAsync("kill");
        await wrapper.NextAsync(TimeSpan.FromSeconds(15), "killed");
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync(new Uri($"http://127.0.0.1:{web.ToString(CultureInfo.InvariantCulture)}/api/tunnels"), Ct));
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
