namespace Burrow.Storage.Tests;

public sealed class HostnamePatternTests
{
    [Theory]
    [InlineData("*.alice.example.com", "app.alice.example.com", true)]
    [InlineData("*.alice.example.com", "a.b.alice.example.com", true)]
    [InlineData("*.alice.example.com", "APP.Alice.Example.com", true)]
    [InlineData("*.alice.example.com", "alice.example.com", false)]
    [InlineData("*.alice.example.com", "bob.example.com", false)]
    [InlineData("*.alice.example.com", "xalice.example.com", false)]
    [InlineData("demo", "demo.example.com", true)]
    [InlineData("demo", "demo.other.com", false)]
    [InlineData("demo", "demo2.example.com", false)]
    [InlineData("app.alice.dev", "app.alice.dev", true)]
    [InlineData("app.alice.dev", "x.app.alice.dev", false)]
    public void Patterns_match_as_documented(string pattern, string hostname, bool matches) =>
        Assert.Equal(matches, HostnamePattern.Matches(pattern, hostname, "example.com"));

    [Theory]
    [InlineData("demo", true)]
    [InlineData("*.alice.example.com", true)]
    [InlineData("a-b.example.com", true)]
    [InlineData("*", false)]
    [InlineData("*.", false)]
    [InlineData("a.*.com", false)]
    [InlineData("-a", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Validity(string? pattern, bool valid) => Assert.Equal(valid, HostnamePattern.IsValid(pattern));

    [Fact]
    public void No_patterns_allow_everything() =>
        Assert.True(HostnamePattern.AnyMatches([], "anything.example.com", "example.com"));
}
