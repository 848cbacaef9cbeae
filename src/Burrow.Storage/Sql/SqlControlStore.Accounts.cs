using Burrow.Storage.Secrets;
using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string AccountColumns = "id AS Id, name AS Name, created_at AS CreatedAt";

    public Task<Account> CreateAccountAsync(string name, CancellationToken cancellationToken = default)
    {
        string checkedName = RequireName(name, "account name");
        var row = new AccountRow { Id = SecretGenerator.NewId("acc_"), Name = checkedName, CreatedAt = Now() };
        return RunAsync(async c =>
        {
            await c.ExecuteAsync(Command(
                "INSERT INTO accounts (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", row, cancellationToken)).ConfigureAwait(false);
            return row.ToAccount();
        }, cancellationToken, conflict: $"An account named '{checkedName}' exists already.", write: true);
    }

    public Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => (await c.QuerySingleOrDefaultAsync<AccountRow>(Command(
            $"SELECT {AccountColumns} FROM accounts WHERE id = @accountId", new { accountId }, cancellationToken)).ConfigureAwait(false))?.ToAccount(),
            cancellationToken);

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<Account>>(async c => [.. (await c.QueryAsync<AccountRow>(Command(
            $"SELECT {AccountColumns} FROM accounts ORDER BY created_at, id", null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToAccount())],
            cancellationToken);

    public Task<Account?> RenameAccountAsync(string accountId, string name, CancellationToken cancellationToken = default)
    {
        string checkedName = RequireName(name, "account name");
        return RunAsync(async c =>
        {
            int changed = await c.ExecuteAsync(Command(
                "UPDATE accounts SET name = @checkedName WHERE id = @accountId", new { accountId, checkedName }, cancellationToken)).ConfigureAwait(false);
            return changed == 0 ? null : (await c.QuerySingleAsync<AccountRow>(Command(
                $"SELECT {AccountColumns} FROM accounts WHERE id = @accountId", new { accountId }, cancellationToken)).ConfigureAwait(false)).ToAccount();
        }, cancellationToken, conflict: $"An account named '{checkedName}' exists already.", write: true);
    }

    public Task<bool> DeleteAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => await c.ExecuteAsync(Command(
            "DELETE FROM accounts WHERE id = @accountId", new { accountId }, cancellationToken)).ConfigureAwait(false) > 0, cancellationToken, write: true);

    public Task<int> CountAccountsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async c => (int)await c.ExecuteScalarAsync<long>(Command(
            "SELECT COUNT(*) FROM accounts", null, cancellationToken)).ConfigureAwait(false), cancellationToken);

    private sealed class AccountRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public long CreatedAt { get; set; }

        public Account ToAccount() => new(Id, Name, Time(CreatedAt));
    }
}
