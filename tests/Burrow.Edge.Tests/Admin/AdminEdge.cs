using Burrow.Storage.Tests.Harness;
using System.Net;
using System.Net.Http.Headers;
using Burrow.Storage;

namespace Burrow.Edge.Tests.Admin;

/// <summary>A real edge (it opens and bootstraps its own store) with a real store (SQLite or PostgreSQL) and its admin listener on a loopback port, plus clients for the API.</summary>
public sealed class AdminEdge : IAsyncDisposable
{
    private readonly string _dataDir;

    private AdminEdge(EdgeServer edge, IControlStore store, string dataDir, string apiKey)
    {
        Edge = edge;
        Store = store;
        _dataDir = dataDir;
        ApiKey = apiKey;
        BaseUrl = new Uri($"http://{edge.Endpoints.Admin}/");
        Client = Create(apiKey);
        Anonymous = Create(null);
    }

    public EdgeServer Edge { get; }

    public IControlStore Store { get; }

    public string ApiKey { get; }

    public Uri BaseUrl { get; }

    /// <summary>Sends the bootstrap API key.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no key.</summary>
    public HttpClient Anonymous { get; }

    public string DataDirectory => _dataDir;

    public static async Task<AdminEdge> StartAsync(StoreKind kind, PostgresServer postgres)
    {
        string dir = Directory.CreateTempSubdirectory("burrow-admin-").FullName;
        string? database = kind == StoreKind.Postgres ? await postgres.CreateDatabaseAsync() : null;
        var options = new EdgeOptions
        {
            Domain = "tunnel.test",
            AgentEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HttpsEndPoint = null,
            HttpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            AdminEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            DataDirectory = dir,
            Database = database,
            DrainTimeout = TimeSpan.FromSeconds(1),
            Authtokens = ["brw_admin_tests_token"],
        };
        var edge = EdgeServer.Create(options);
        await edge.StartAsync(TestContext.Current.CancellationToken);
        return new AdminEdge(edge, edge.Store!, dir, edge.GeneratedApiKey ?? throw new InvalidOperationException("no API key was created on first start"));
    }

    public HttpClient Create(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Edge.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
