using System.Security.Cryptography;
using Burrow.Edge.Policy.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Edge.Tests.Policy.Identity;

public sealed class OidcKeysTests
{
    private readonly OidcKeys _keys = OidcKeys.FromKey(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Open_SealedValue_RoundTrips()
    {
        string sealedText = _keys.Seal("{\"sub\":\"ada\"}", "session");
        Assert.DoesNotContain("ada", sealedText, StringComparison.Ordinal);
        Assert.Equal("{\"sub\":\"ada\"}", _keys.Open(sealedText, "session"));
    }

    [Fact]
    public void Open_ChangedTruncatedOtherPurposeOrKey_Null()
    {
        string sealedText = _keys.Seal("{\"sub\":\"ada\"}", "session");
        char[] chars = sealedText.ToCharArray();
        chars[20] = chars[20] == 'A' ? 'B' : 'A';
        Assert.Null(_keys.Open(new string(chars), "session"));
        Assert.Null(_keys.Open(sealedText[..^4], "session"));
        Assert.Null(_keys.Open(sealedText, "state"));
        Assert.Null(OidcKeys.FromKey(RandomNumberGenerator.GetBytes(32)).Open(sealedText, "session"));
        Assert.Null(_keys.Open("!!not base64!!", "session"));
    }

    [Fact]
    public void Load_KeepsTheKeyInTheDataDirectory_AcrossLoads()
    {
        string directory = Path.Combine(Path.GetTempPath(), "burrow-oidc-" + Guid.NewGuid().ToString("N"));
        try
        {
            string sealedText = OidcKeys.Load(directory, NullLogger.Instance).Seal("x", "p");
            Assert.Equal("x", OidcKeys.Load(directory, NullLogger.Instance).Open(sealedText, "p"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "oidc-cookie.key")));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
