namespace Burrow.Agent.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void Agent_references_mux_and_protocol_but_never_the_edge_or_the_cli()
    {
        var references = typeof(AgentRunner).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Burrow.Mux", references);
        Assert.Contains("Burrow.Protocol", references);
        Assert.DoesNotContain("Burrow.Edge", references);
        Assert.DoesNotContain("burrow", references);
    }
}
