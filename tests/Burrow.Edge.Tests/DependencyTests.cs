namespace Burrow.Edge.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void Edge_references_mux_protocol_storage_and_acme_but_never_the_agent_or_the_cli()
    {
        var references = typeof(EdgeServer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Burrow.Mux", references);
        Assert.Contains("Burrow.Protocol", references);
        Assert.Contains("Burrow.Storage", references);
        Assert.Contains("Burrow.Acme", references);
        Assert.DoesNotContain("Burrow.Agent", references);
        Assert.DoesNotContain("burrow", references);
    }
}
