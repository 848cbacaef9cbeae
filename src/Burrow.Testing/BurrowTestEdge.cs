using System.Net;
using System.Security.Cryptography;
using Burrow.Agent;
using Burrow.Edge;

namespace Burrow.Testing;

/// <summary>
/// A Burrow edge inside the test process, on loopback: URLs under <c>*.localhost</c>, HTTPS from a CA of its own made
/// for this run, one random authtoken, its data in a temporary folder removed on dispose.
/// <c>StartBurrowTunnelAsync</c> starts one when no edge is configured; start one yourself to point other agents
/// (<see cref="Burrow.Agent.BurrowTunnel"/>, a <c>burrow</c> process, an app with <c>UseBurrowTunnel</c>) at it.
/// </summary>
public sealed class BurrowTestEdge : IAsyncDisposable
{
    private readonly EdgeServer _edge;
    private readonly string _dataDirectory;

    private BurrowTestEdge(EdgeServer edge, string dataDirectory, string authtoken)
    {
        _edge = edge;
        _dataDirectory = dataDirectory;
        Authtoken = authtoken;
    }

    /// <summary>The agent address, <c>127.0.0.1:PORT</c>.</summary>
    public string AgentAddress => $"127.0.0.1:{_edge.Endpoints.Agents!.Port}";

    /// <summary>The one authtoken it accepts.</summary>
    public string Authtoken { get; }

    /// <summary>The CA of its certificates (agent port and public HTTPS), as PEM.</summary>
    public string CaPem => _edge.LocalCaCertificate!.ExportCertificatePem();

    /// <summary>Its public HTTPS port.</summary>
    public int HttpsPort => _edge.Endpoints.Https!.Port;

    /// <summary>Its public HTTP port.</summary>
    public int HttpPort => _edge.Endpoints.Http!.Port;

    /// <summary>Settings that reach this edge (address, authtoken, CA); add the tunnel's own.</summary>
    public BurrowTunnelOptions TunnelOptions() => new()
    {
        ServerAddress = AgentAddress,
        ServerName = "localhost",
        Authtoken = Authtoken,
        EdgeCaPem = CaPem,
    };

    /// <summary>An HTTP handler that reaches this edge's public URLs as an outside client would: trusting its CA, dialling <c>*.localhost</c> on loopback.</summary>
    public HttpMessageHandler CreateHandler() => PublicClientHandler.Create(_edge.LocalCaCertificate);

    /// <summary>Starts an edge on free loopback ports.</summary>
    /// <param name="cancellationToken">Gives up starting.</param>
    public static async Task<BurrowTestEdge> StartAsync(CancellationToken cancellationToken = default)
    {
        string dataDirectory = Directory.CreateTempSubdirectory("burrow-testing-").FullName;
        string authtoken = "brw_test_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var options = new EdgeOptions
        {
            Domain = "localhost",
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdminEndPoint = null,
            DataDirectory = dataDirectory,
            DrainTimeout = TimeSpan.FromSeconds(1),
        };
        EdgeServer edge = EdgeServer.Create(options, fixedAuthtoken: authtoken);
        try
        {
            await edge.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await edge.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }

        return new BurrowTestEdge(edge, dataDirectory, authtoken);
    }

    /// <summary>Stops the edge and removes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held: the temporary folder is the system's to clean.
        }
    }
}
