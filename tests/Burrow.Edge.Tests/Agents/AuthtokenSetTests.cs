using Burrow.Edge.Agents;
using Burrow.Protocol;

namespace Burrow.Edge.Tests.Agents;

public sealed class AuthtokenSetTests
{
    [Fact]
    public void Known_token_passes_and_others_are_refused_with_their_codes()
    {
        var options = new EdgeOptions { DataDirectory = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n")) };
        options.Authtokens.Add("brw_one");
        options.Authtokens.Add("brw_two");
        var tokens = AuthtokenSet.Load(options);

        Assert.Null(tokens.Check("brw_two", out byte[] digest));
        Assert.Equal(32, digest.Length);
        Assert.True(ErrorCodes.InvalidAuthtoken.Matches(tokens.Check("brw_three", out _)));
        Assert.True(ErrorCodes.MissingAuthtoken.Matches(tokens.Check("", out _)));
        Assert.False(Directory.Exists(options.DataDirectory));
    }

    [Fact]
    public void First_start_without_tokens_creates_one_readable_by_the_owner_only_and_reuses_it()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-edge-test-").FullName;
        try
        {
            var first = AuthtokenSet.Load(new EdgeOptions { DataDirectory = dir });
            Assert.NotNull(first.GeneratedToken);
            Assert.StartsWith("brw_", first.GeneratedToken, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.GeneratedPath!));
            }

            var second = AuthtokenSet.Load(new EdgeOptions { DataDirectory = dir });
            Assert.Null(second.GeneratedToken);
            Assert.Null(second.Check(first.GeneratedToken, out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
