using System.Net;
using Burrow.Acme.Tests.Pebble;

namespace Burrow.Acme.Tests.Bind;

/// <summary>One named, and one Pebble that resolves through it (<c>-dnsserver</c>), shared by the tests of a class.</summary>
public sealed class BindFixture : IAsyncLifetime
{
    internal BindServer Bind { get; private set; } = null!;

    internal PebbleServer Pebble { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Bind = await BindServer.StartAsync();
        // No HTTP-01 or TLS-ALPN-01 responder: with only dns-01 answered, a wrong route cannot pass by accident.
        Pebble = await PebbleServer.StartAsync(FreePorts.Tcp(), FreePorts.Tcp(), Bind.EndPoint, nonceRejectPercent: 0, blocklist: []);
    }

    public async ValueTask DisposeAsync()
    {
        await Pebble.DisposeAsync();
        await Bind.DisposeAsync();
    }
}
