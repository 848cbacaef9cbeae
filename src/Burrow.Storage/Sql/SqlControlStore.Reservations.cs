using System.Globalization;
using Burrow.Storage.Secrets;
using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string DomainColumns = "id AS Id, account_id AS AccountId, hostname AS Hostname, description AS Description, created_at AS CreatedAt, traffic_policy AS TrafficPolicy";
    private const string AddressColumns = "id AS Id, account_id AS AccountId, port AS Port, description AS Description, created_at AS CreatedAt, traffic_policy AS TrafficPolicy";

    public Task<ReservedDomain> ReserveDomainAsync(string accountId, string hostname, string? description = null, CancellationToken cancellationToken = default)
    {
        string host = hostname?.Trim().TrimEnd('.').ToLowerInvariant() ?? "";
        if (!HostnamePattern.IsValid(host) || host.StartsWith('*'))
        {
            throw new StoreException(StoreErrorKind.Invalid, $"'{hostname}' is not a hostname that can be reserved.");
        }

        var row = new DomainRow { Id = SecretGenerator.NewId("rd_"), AccountId = accountId, Hostname = host, Description = description, CreatedAt = Now() };
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "INSERT INTO reserved_domains (id, account_id, hostname, description, created_at) VALUES (@Id, @AccountId, @Hostname, @Description, @CreatedAt)",
                new { row.Id, row.AccountId, row.Hostname, row.Description, row.CreatedAt, cancellationToken }).ConfigureAwait(false);
            return row.ToDomain();
        }, cancellationToken, conflict: $"'{host}' is reserved already.", notFound: $"There is no account '{accountId}'.", write: true);
    }

    public Task<ReservedDomain?> FindReservedDomainAsync(string hostname, CancellationToken cancellationToken = default)
    {
        string host = hostname?.Trim().TrimEnd('.').ToLowerInvariant() ?? "";
        return RunAsync(async c => (await c.QuerySingleOrDefaultAsync<DomainRow>(
            $"SELECT {DomainColumns} FROM reserved_domains WHERE hostname = @host", new { host, cancellationToken }).ConfigureAwait(false))?.ToDomain(),
            cancellationToken);
    }

    public Task<IReadOnlyList<ReservedDomain>> ListReservedDomainsAsync(string? accountId = null, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ReservedDomain>>(async c => [.. (await c.QueryAsync<DomainRow>(
            $"SELECT {DomainColumns} FROM reserved_domains WHERE (@accountId IS NULL OR account_id = @accountId) ORDER BY hostname",
            new { accountId, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToDomain())], cancellationToken);

    public Task<ReservedDomain?> GetReservedDomainAsync(string reservedDomainId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => (await c.QuerySingleOrDefaultAsync<DomainRow>(
            $"SELECT {DomainColumns} FROM reserved_domains WHERE id = @reservedDomainId", new { reservedDomainId, cancellationToken }).ConfigureAwait(false))?.ToDomain(),
            cancellationToken);

    public Task<ReservedDomain?> SetDomainTrafficPolicyAsync(string reservedDomainId, string? trafficPolicy, CancellationToken cancellationToken = default) =>
        RunAsync(async c =>
        {
            // A release between the two statements leaves no row to read back: answered as not found, as it is by then.
            int changed = await c.ExecuteAsync(
                "UPDATE reserved_domains SET traffic_policy = @trafficPolicy WHERE id = @reservedDomainId", new { trafficPolicy, reservedDomainId, cancellationToken }).ConfigureAwait(false);
            return changed == 0 ? null : (await c.QuerySingleOrDefaultAsync<DomainRow>(
                $"SELECT {DomainColumns} FROM reserved_domains WHERE id = @reservedDomainId", new { reservedDomainId, cancellationToken }).ConfigureAwait(false))?.ToDomain();
        }, cancellationToken, write: true);

    public Task<bool> ReleaseDomainAsync(string reservedDomainId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => await c.ExecuteAsync(
            "DELETE FROM reserved_domains WHERE id = @reservedDomainId", new { reservedDomainId, cancellationToken }).ConfigureAwait(false) > 0, cancellationToken, write: true);

    public Task<ReservedTcpAddress> ReserveTcpAddressAsync(string accountId, int port, string? description = null, CancellationToken cancellationToken = default)
    {
        if (port is < 1 or > 65535)
        {
            throw new StoreException(StoreErrorKind.Invalid, string.Create(CultureInfo.InvariantCulture, $"{port} is not a TCP port (1 to 65535)."));
        }

        var row = new AddressRow { Id = SecretGenerator.NewId("ra_"), AccountId = accountId, Port = port, Description = description, CreatedAt = Now() };
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(
                "INSERT INTO reserved_tcp_addresses (id, account_id, port, description, created_at) VALUES (@Id, @AccountId, @Port, @Description, @CreatedAt)",
                new { row.Id, row.AccountId, row.Port, row.Description, row.CreatedAt, cancellationToken }).ConfigureAwait(false);
            return row.ToAddress();
        }, cancellationToken, conflict: string.Create(CultureInfo.InvariantCulture, $"TCP port {port} is reserved already."), notFound: $"There is no account '{accountId}'.", write: true);
    }

    public Task<ReservedTcpAddress?> FindReservedTcpAddressAsync(int port, CancellationToken cancellationToken = default) =>
        RunAsync(async c => (await c.QuerySingleOrDefaultAsync<AddressRow>(
            $"SELECT {AddressColumns} FROM reserved_tcp_addresses WHERE port = @port", new { port = (long)port, cancellationToken }).ConfigureAwait(false))?.ToAddress(),
            cancellationToken);

    public Task<IReadOnlyList<ReservedTcpAddress>> ListReservedTcpAddressesAsync(string? accountId = null, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ReservedTcpAddress>>(async c => [.. (await c.QueryAsync<AddressRow>(
            $"SELECT {AddressColumns} FROM reserved_tcp_addresses WHERE (@accountId IS NULL OR account_id = @accountId) ORDER BY port",
            new { accountId, cancellationToken }).ConfigureAwait(false)).Select(r => r.ToAddress())], cancellationToken);

    public Task<ReservedTcpAddress?> GetReservedTcpAddressAsync(string reservedTcpAddressId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => (await c.QuerySingleOrDefaultAsync<AddressRow>(
            $"SELECT {AddressColumns} FROM reserved_tcp_addresses WHERE id = @reservedTcpAddressId", new { reservedTcpAddressId, cancellationToken }).ConfigureAwait(false))?.ToAddress(),
            cancellationToken);

    public Task<ReservedTcpAddress?> SetTcpAddressTrafficPolicyAsync(string reservedTcpAddressId, string? trafficPolicy, CancellationToken cancellationToken = default) =>
        RunAsync(async c =>
        {
            int changed = await c.ExecuteAsync(
                "UPDATE reserved_tcp_addresses SET traffic_policy = @trafficPolicy WHERE id = @reservedTcpAddressId", new { trafficPolicy, reservedTcpAddressId, cancellationToken }).ConfigureAwait(false);
            return changed == 0 ? null : (await c.QuerySingleOrDefaultAsync<AddressRow>(
                $"SELECT {AddressColumns} FROM reserved_tcp_addresses WHERE id = @reservedTcpAddressId", new { reservedTcpAddressId, cancellationToken }).ConfigureAwait(false))?.ToAddress();
        }, cancellationToken, write: true);

    public Task<bool> ReleaseTcpAddressAsync(string reservedTcpAddressId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => await c.ExecuteAsync(
            "DELETE FROM reserved_tcp_addresses WHERE id = @reservedTcpAddressId", new { reservedTcpAddressId, cancellationToken }).ConfigureAwait(false) > 0, cancellationToken, write: true);

    internal sealed class DomainRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public string Hostname { get; set; } = "";

        public string? Description { get; set; }

        public long CreatedAt { get; set; }

        public string? TrafficPolicy { get; set; }

        public ReservedDomain ToDomain() => new(Id, AccountId, Hostname, Description, Time(CreatedAt), TrafficPolicy);
    }

    internal sealed class AddressRow
    {
        public string Id { get; set; } = "";

        public string AccountId { get; set; } = "";

        public long Port { get; set; }

        public string? Description { get; set; }

        public long CreatedAt { get; set; }

        public string? TrafficPolicy { get; set; }

        public ReservedTcpAddress ToAddress() => new(Id, AccountId, (int)Port, Description, Time(CreatedAt), TrafficPolicy);
    }
}
