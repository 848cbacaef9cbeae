namespace Burrow.Acme.Tests.Pebble;

/// <summary>One Pebble (no forced nonce rejection) shared by the tests of a class.</summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    internal AcmeHarness Harness { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Harness = await AcmeHarness.StartAsync();

    public async ValueTask DisposeAsync() => await Harness.DisposeAsync();
}
