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
            await c.ExecuteAsync(
                "INSERT INTO accounts (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
                new { row.Id, row.Name, row.CreatedAt, cancellationToken }).ConfigureAwait(false);
            return row.ToAccount();
        }, cancellationToken, conflict: $"An account named '{checkedName}' exists already.", write: true);
    }

    public Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => (await c.QuerySingleOrDefaultAsync<AccountRow>(
            $"SELECT {AccountColumns} FROM accounts WHERE id = @accountId", new { accountId, cancellationToken }).ConfigureAwait(false))?.ToAccount(),
            cancellationToken);

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<Account>>(async c => [.. (await Ado.QueryAsync(c,
            $"SELECT {AccountColumns} FROM accounts ORDER BY created_at, id",
            r => new AccountRow { Id = r.GetString(0), Name = r.GetString(1), CreatedAt = r.GetInt64(2) }, cancellationToken).ConfigureAwait(false)).Select(r => r.ToAccount())],
            cancellationToken);

    public Task<Account?> RenameAccountAsync(string accountId, string name, CancellationToken cancellationToken = default)
    {
        string checkedName = RequireName(name, "account name");
        return RunAsync(async c =>
        {
            int changed = await c.ExecuteAsync(
                "UPDATE accounts SET name = @checkedName WHERE id = @accountId", new { accountId, checkedName, cancellationToken }).ConfigureAwait(false);
            return changed == 0 ? null : (await c.QuerySingleAsync<AccountRow>(
                $"SELECT {AccountColumns} FROM accounts WHERE id = @accountId", new { accountId, cancellationToken }).ConfigureAwait(false)).ToAccount();
        }, cancellationToken, conflict: $"An account named '{checkedName}' exists already.", write: true);
    }

    public Task<bool> DeleteAccountAsync(string accountId, CancellationToken cancellationToken = default) =>
        RunAsync(async c => await c.ExecuteAsync(
            "DELETE FROM accounts WHERE id = @accountId", new { accountId, cancellationToken }).ConfigureAwait(false) > 0, cancellationToken, write: true);

    public Task<int> CountAccountsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async c => (int)await Ado.ScalarInt64Async(c, "SELECT COUNT(*) FROM accounts", null, cancellationToken).ConfigureAwait(false), cancellationToken);

    internal sealed class AccountRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public long CreatedAt { get; set; }

        public Account ToAccount() => new(Id, Name, Time(CreatedAt));
    }
}
