using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;
using PostgresServer = Burrow.Storage.Tests.Harness.PostgresServer;

namespace Burrow.EndToEnd.Tests.Tcp;

/// <summary>Debian's psql through a tcp tunnel to a PostgreSQL server the test starts: SQL, and ~100 MB copied in and out unchanged.</summary>
public sealed class PostgresTunnelTests(PostgresTunnelFixture fixture) : IClassFixture<PostgresTunnelFixture>
{
    private const int Rows = 800_000;

    [Fact(Timeout = 180_000)]
    public async Task Psql_creates_a_table_and_copies_100_MB_in_and_out_unchanged()
    {
        string input = Path.Combine(fixture.Temp.Path, "in.csv"), output = Path.Combine(fixture.Temp.Path, "out.csv");
        WriteRows(input);
        long size = new FileInfo(input).Length;
        Assert.InRange(size, 95_000_000, 110_000_000);

        string version = await PsqlAsync("-tAc", "select version()");
        Assert.StartsWith("PostgreSQL", version.Trim(), StringComparison.Ordinal);

        await PsqlAsync("-c", "create table burrow_copy (id integer primary key, payload text not null)");
        string copiedIn = await PsqlAsync("-c", $"\\copy burrow_copy from '{input}' with (format csv)");
        Assert.Contains($"COPY {Rows.ToString(CultureInfo.InvariantCulture)}", copiedIn, StringComparison.Ordinal);

        string count = await PsqlAsync("-tAc", "select count(*), sum(length(payload)) from burrow_copy");
        Assert.Equal($"{Rows.ToString(CultureInfo.InvariantCulture)}|{(Rows * 112L).ToString(CultureInfo.InvariantCulture)}", count.Trim());

        await PsqlAsync("-c", $"\\copy (select id, payload from burrow_copy order by id) to '{output}' with (format csv)");
        Assert.Equal(size, new FileInfo(output).Length);
        Assert.Equal(await HashAsync(input), await HashAsync(output));
    }

    [Fact(Timeout = 60_000)]
    public async Task Psql_sees_an_error_from_the_server_through_the_tunnel()
    {
        (int exit, _, string errors) = await Tool.RunAsync(Psql, [.. ConnectionArgs(), "-v", "ON_ERROR_STOP=1", "-c", "select * from no_such_table"], timeout: TimeSpan.FromSeconds(45));

        Assert.NotEqual(0, exit);
        Assert.Contains("relation \"no_such_table\" does not exist", errors, StringComparison.Ordinal);
    }

    private string Psql => Path.Combine(fixture.Server.BinDirectory, "psql");

    private IEnumerable<string> ConnectionArgs() =>
        ["-h", "127.0.0.1", "-p", I(fixture.Agent.Port), "-U", PostgresServer.User, "-d", "postgres", "-X"];

    private Task<string> PsqlAsync(params string[] command) =>
        Tool.RunOkAsync(Psql, [.. ConnectionArgs(), "-v", "ON_ERROR_STOP=1", .. command], timeout: TimeSpan.FromSeconds(150),
            environment: new Dictionary<string, string> { ["PGCONNECT_TIMEOUT"] = "20" });

    /// <summary>800,000 CSV rows of an id and 112 hex characters: 100 MB that compress poorly and need no quoting.</summary>
    private static void WriteRows(string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        byte[] random = new byte[56];
        for (int id = 1; id <= Rows; id++)
        {
            RandomNumberGenerator.Fill(random);
            writer.Write(id.ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.WriteLine(Convert.ToHexStringLower(random));
        }
    }

    private static async Task<string> HashAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }
}

/// <summary>An edge, a PostgreSQL server, and a tcp tunnel to it.</summary>
public sealed class PostgresTunnelFixture : RawTunnelFixture
{
    public PostgresServer Server { get; private set; } = null!;

    public TcpAgentRun Agent { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Server = Own(new PostgresServer());
        await Server.InitializeAsync();
        Agent = Own(await StartTcpAsync([$"127.0.0.1:{I(Server.Port)}"]));
    }
}
