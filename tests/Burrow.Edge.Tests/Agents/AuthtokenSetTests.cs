using Burrow.Edge.Agents;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Tests.Agents;

public sealed class AuthtokenSetTests
{
    [Fact]
    public void Known_token_passes_and_others_are_refused_with_their_codes()
    {
        var options = new EdgeOptions { DataDirectory = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n")), Authtokens = ["brw_one", "brw_two"] };
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

    [Fact]
    public void With_a_control_store_no_token_file_is_created_but_an_old_one_still_counts()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-edge-test-").FullName;
        try
        {
            var none = AuthtokenSet.Load(new EdgeOptions { DataDirectory = dir }, generate: false);
            Assert.Equal(0, none.Count);
            Assert.Null(none.GeneratedToken);
            Assert.False(File.Exists(Path.Combine(dir, AuthtokenSet.GeneratedFileName)));
            Assert.False(none.TryMatch("brw_anything", out byte[] digest));
            Assert.Equal(AuthtokenSet.Digest("brw_anything"), digest);

            File.WriteAllText(Path.Combine(dir, AuthtokenSet.GeneratedFileName), "brw_from_an_older_edge\n");
            var old = AuthtokenSet.Load(new EdgeOptions { DataDirectory = dir }, generate: false);
            Assert.True(old.TryMatch("brw_from_an_older_edge", out _));
            Assert.False(old.TryMatch("brw_from_an_older_edgX", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
