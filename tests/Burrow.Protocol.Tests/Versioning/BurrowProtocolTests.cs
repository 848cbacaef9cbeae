using Burrow.Protocol.Errors;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Tests.Versioning;

public sealed class BurrowProtocolTests
{
    [Fact]
    public void Current_version_is_accepted()
    {
        Assert.Null(BurrowProtocol.CheckVersion(BurrowProtocol.CurrentVersion));
        Assert.Equal("burrow/1", BurrowProtocol.Alpn);
    }

    [Theory]
    [InlineData(BurrowProtocol.CurrentVersion + 1)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Unsupported_version_is_refused_with_1003(int version)
    {
        ProtocolError? error = BurrowProtocol.CheckVersion(version);

        Assert.NotNull(error);
        Assert.Equal("ERR_BURROW_1003", error.Code);
        Assert.Equal($"Protocol version {version} is not supported; this side speaks versions 1 to 1.", error.Message);
    }
}
