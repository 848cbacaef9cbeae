using System.Text;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Tests.Validation;

public sealed class BasicAuthCredentialTests
{
    [Theory]
    [InlineData("alice:correct-horse", "alice", "correct-horse")]
    [InlineData("bob:pass:with:colons", "bob", "pass:with:colons")]
    [InlineData("u:12345678", "u", "12345678")]
    [InlineData("émile:mot de passe", "émile", "mot de passe")]
    public void Valid_entry_parses(string entry, string user, string password)
    {
        Assert.True(BasicAuthCredential.TryParse(entry, out var credential, out var error));

        Assert.Null(error);
        Assert.Equal(user, credential.User);
        Assert.Equal(password, credential.Password);
    }

    [Theory]
    [InlineData("alice:short", "the password must be at least 8 characters")]
    [InlineData(":password1", "the user name is empty")]
    [InlineData("alicepassword", "expected user:password")]
    [InlineData("", "expected user:password")]
    [InlineData(null, "expected user:password")]
    [InlineData("al\nice:password1", "the user name contains control characters")]
    [InlineData("alice:pass\u0000word", "the password contains control characters")]
    public void Invalid_entry_returns_2004_with_the_reason(string? entry, string reason)
    {
        Assert.False(BasicAuthCredential.TryParse(entry, out var credential, out var error, "basic_auth[3]"));

        Assert.Null(credential);
        Assert.Equal("ERR_BURROW_2004", error.Code);
        Assert.StartsWith("Invalid basic_auth[3]", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($": {reason}.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_names_the_user_but_never_the_password()
    {
        Assert.False(BasicAuthCredential.TryParse("alice:hunter2", out _, out var error, "basic_auth[0]"));

        Assert.Equal("""Invalid basic_auth[0] "alice:***": the password must be at least 8 characters.""", error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Password_longer_than_128_is_refused()
    {
        Assert.True(BasicAuthCredential.TryParse("a:" + new string('p', 128), out _, out _));
        Assert.False(BasicAuthCredential.TryParse("a:" + new string('p', 129), out _, out var error));
        Assert.Contains("at most 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Matches_checks_the_decoded_authorization_value()
    {
        Assert.True(BasicAuthCredential.TryParse("alice:correct-horse", out var credential, out _));

        Assert.True(credential.Matches(Encoding.UTF8.GetBytes("alice:correct-horse")));
        Assert.False(credential.Matches(Encoding.UTF8.GetBytes("alice:correct-horsf")));
        Assert.False(credential.Matches(Encoding.UTF8.GetBytes("alicf:correct-horse")));
        Assert.False(credential.Matches([]));
    }

    [Fact]
    public void ToString_hides_the_password()
    {
        Assert.True(BasicAuthCredential.TryParse("alice:correct-horse", out var credential, out _));

        Assert.Equal("alice:***", credential.ToString());
    }
}
