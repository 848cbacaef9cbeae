using PublicApiGenerator;

namespace Burrow.Sdk.Tests;

/// <summary>
/// The packages' public API is checked in (<c>Api/*.txt</c>): a change to it fails here until the file is updated on
/// purpose, so that no release changes the surface by accident.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("Burrow.Agent", typeof(Burrow.Agent.BurrowTunnel))]
    [InlineData("Burrow.Testing", typeof(Burrow.Testing.BurrowTestTunnel))]
    public void The_public_api_matches_the_approved_file(string package, Type anyType)
    {
        string api = anyType.Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false, DenyNamespacePrefixes = [] }).ReplaceLineEndings("\n");
        string approvedPath = Path.Combine(AppContext.BaseDirectory, "Api", package + ".txt");
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (api != approved)
        {
            string received = Path.Combine(AppContext.BaseDirectory, "Api", package + ".received.txt");
            File.WriteAllText(received, api);
            Assert.Fail($"The public API of {package} changed. If on purpose, copy {received} over tests/Burrow.Sdk.Tests/Api/{package}.txt.");
        }
    }
}
