using Burrow.Acme.Client;

namespace Burrow.Acme.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void Acme_references_protocol_and_the_dns_library_but_never_edge_agent_storage_or_mux()
    {
        var references = typeof(AcmeClient).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Burrow.Protocol", references);
        Assert.Contains("ARSoft.Tools.Net", references);
        Assert.DoesNotContain("Burrow.Edge", references);
        Assert.DoesNotContain("Burrow.Agent", references);
        Assert.DoesNotContain("Burrow.Storage", references);
        Assert.DoesNotContain("Burrow.Mux", references);
    }
}
