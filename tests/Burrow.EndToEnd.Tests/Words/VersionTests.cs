using System.Text.Json;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Words;

/// <summary>One version, from the build: <c>--version</c>, the edge's banner and the agent API say the same.</summary>
public sealed class VersionTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Version_flag_edge_banner_and_agent_api_agree()
    {
        var (exit, output) = await BurrowProcess.RunToEndAsync(["--version"]);
        Assert.Equal(0, exit);
        string full = output.Trim();
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]+)?$", full);
        string version = full.Split('+')[0];
        Assert.NotEqual("1.0.0", version);

        string banner = (await fixture.Edge.Process.WaitForLineAsync(@"^Burrow edge (\S+), base domain")).Groups[1].Value;
        Assert.Equal(version, banner);

        using var web = new HttpClient { BaseAddress = await fixture.Agent.WebUrlAsync() };
        using JsonDocument status = JsonDocument.Parse(await web.GetStringAsync(new Uri("/api/status", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Equal(version, status.RootElement.GetProperty("agent_version").GetString());
    }
}
