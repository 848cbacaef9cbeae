using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Pooling;

/// <summary>Several real <c>burrow http</c> agents started with <c>--pooling-enabled</c> on one URL, each before its own <see cref="IdUpstream"/>.</summary>
public sealed class PooledAgents : IAsyncDisposable
{
    private PooledAgents(IReadOnlyList<IdUpstream> upstreams, IReadOnlyList<AgentRun> agents)
    {
        Upstreams = upstreams;
        Agents = agents;
    }

    public IReadOnlyList<IdUpstream> Upstreams { get; }

    public IReadOnlyList<AgentRun> Agents { get; }

    public Uri Url => Agents[0].HttpsUrl;

    public static async Task<PooledAgents> StartAsync(EdgeRun edge, string stateDir, string subdomain, int count)
    {
        var upstreams = new List<IdUpstream>();
        var agents = new List<AgentRun>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                IdUpstream upstream = new IdUpstream($"member-{i}").Start();
                upstreams.Add(upstream);
                agents.Add(await AgentRun.StartAsync(
                    [upstream.Address, "--url", subdomain, "--pooling-enabled", "--inspect", "false", "--web-addr", "127.0.0.1:0", "--log", "stdout", "--log-level", "warn", .. edge.AgentArgs()],
                    Path.Combine(stateDir, $"agent-{i}")));
            }

            return new PooledAgents(upstreams, agents);
        }
        catch
        {
            await new PooledAgents(upstreams, agents).DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (AgentRun agent in Agents)
        {
            await agent.DisposeAsync();
        }

        foreach (IdUpstream upstream in Upstreams)
        {
            await upstream.DisposeAsync();
        }
    }
}
