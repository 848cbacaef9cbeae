using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>An edge with a small free TCP port range, an echo and a hash upstream, and an agent tunnelling to each.</summary>
public sealed class TcpTunnelFixture : IAsyncLifetime
{
    public const int RangeSize = 12;

    private readonly TempDirectory _state = new();

    public EdgeRun Edge { get; private set; } = null!;

    public TcpUpstream Echo { get; private set; } = null!;

    public TcpUpstream Hash { get; private set; } = null!;

    public TcpAgentRun EchoAgent { get; private set; } = null!;

    public TcpAgentRun HashAgent { get; private set; } = null!;

    public int MinPort { get; private set; }

    public int MaxPort => MinPort + RangeSize - 1;

    public async ValueTask InitializeAsync()
    {
        MinPort = FreeRange(RangeSize);
        Echo = TcpUpstream.Start(TcpUpstream.Mode.Echo);
        Hash = TcpUpstream.Start(TcpUpstream.Mode.HashAfterEof);
        Edge = await EdgeRun.StartAsync(extra: ["--tcp-ports", $"{I(MinPort)}-{I(MaxPort)}"]);
        EchoAgent = await StartAgentAsync([I(Echo.Port)]);
        HashAgent = await StartAgentAsync([$"127.0.0.1:{I(Hash.Port)}"]);
    }

    /// <summary>Starts another tcp agent on this fixture's edge, with its own state directory unless one is given.</summary>
    public Task<TcpAgentRun> StartAgentAsync(IEnumerable<string> args, bool waitForUrl = true, string? stateDir = null) =>
        TcpAgentRun.StartAsync([.. args, .. Edge.AgentArgs()], stateDir ?? Path.Combine(_state.Path, Guid.NewGuid().ToString("n")), waitForUrl);

    /// <summary>A port in the edge's range that nothing listens on now.</summary>
    public int FreePortInRange()
    {
        for (int port = MinPort; port <= MaxPort; port++)
        {
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free port left in the test range.");
    }

    public async ValueTask DisposeAsync()
    {
        if (EchoAgent is not null)
        {
            await EchoAgent.DisposeAsync();
        }

        if (HashAgent is not null)
        {
            await HashAgent.DisposeAsync();
        }

        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Echo is not null)
        {
            await Echo.DisposeAsync();
        }

        if (Hash is not null)
        {
            await Hash.DisposeAsync();
        }

        _state.Dispose();
    }

    public static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A run of <paramref name="size"/> free loopback ports below the ephemeral range.</summary>
    public static int FreeRange(int size)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int start = Random.Shared.Next(21000, 32000);
            bool free = true;
            for (int port = start; port < start + size && free; port++)
            {
                free = IsFree(port);
            }

            if (free)
            {
                return start;
            }
        }

        throw new InvalidOperationException("No free run of loopback ports found.");
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
