using Burrow.Edge.Routing;
using Burrow.Protocol.Validation;

namespace Burrow.Edge.Tests.Routing;

public sealed class NameGeneratorTests
{
    [Fact]
    public void Names_are_valid_readable_labels_and_do_not_repeat()
    {
        var names = Enumerable.Range(0, 2000).Select(_ => NameGenerator.Next()).ToList();

        Assert.All(names, n => Assert.True(HostNames.IsValidLabel(n), n));
        Assert.All(names, n => Assert.Matches("^[a-z]+-[a-z]+-[a-z2-9]{8}$", n));
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
