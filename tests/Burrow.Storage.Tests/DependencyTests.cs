namespace Burrow.Storage.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void Storage_references_no_other_burrow_assembly()
    {
        var references = typeof(IControlStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Burrow.", StringComparison.Ordinal) || r == "burrow");
        Assert.Contains("Dapper", references);
    }
}
