using System.Text;
using Dapper;

namespace Burrow.Storage.Sql;

internal sealed partial class SqlControlStore
{
    private const string EventColumns =
        "id AS Id, at AS At, kind AS Kind, account_id AS AccountId, authtoken_id AS AuthtokenId, session_id AS SessionId, " +
        "address AS Address, subject AS Subject, detail AS Detail";

    public Task<AuditEvent> AppendAuditEventAsync(NewAuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        RequireName(auditEvent.Kind, "audit event kind");
        var row = new EventRow
        {
            At = auditEvent.At?.ToUnixTimeMilliseconds() ?? Now(),
            Kind = auditEvent.Kind,
            AccountId = auditEvent.AccountId,
            AuthtokenId = auditEvent.AuthtokenId,
            SessionId = auditEvent.SessionId,
            Address = auditEvent.Address,
            Subject = auditEvent.Subject,
            Detail = auditEvent.Detail,
        };
        return RunAsync(async c =>
        {
            row.Id = await c.ExecuteScalarAsync<long>(Command(
                "INSERT INTO audit_events (at, kind, account_id, authtoken_id, session_id, address, subject, detail) " +
                "VALUES (@At, @Kind, @AccountId, @AuthtokenId, @SessionId, @Address, @Subject, @Detail) RETURNING id",
                row, cancellationToken)).ConfigureAwait(false);
            return row.ToEvent();
        }, cancellationToken, write: true);
    }

    public Task<int> AppendAuditEventsAsync(IReadOnlyList<NewAuditEvent> auditEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvents);
        if (auditEvents.Count == 0)
        {
            return Task.FromResult(0);
        }

        long now = Now();
        EventRow[] rows = [.. auditEvents.Select(e =>
        {
            RequireName(e.Kind, "audit event kind");
            return new EventRow
            {
                At = e.At?.ToUnixTimeMilliseconds() ?? now,
                Kind = e.Kind,
                AccountId = e.AccountId,
                AuthtokenId = e.AuthtokenId,
                SessionId = e.SessionId,
                Address = e.Address,
                Subject = e.Subject,
                Detail = e.Detail,
            };
        })];
        return RunAsync(async c =>
        {
            await using var transaction = await _dialect.BeginWriteAsync(c, cancellationToken).ConfigureAwait(false);
            // Dapper runs the statement once per row, inside the one transaction.
            int stored = await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO audit_events (at, kind, account_id, authtoken_id, session_id, address, subject, detail) " +
                "VALUES (@At, @Kind, @AccountId, @AuthtokenId, @SessionId, @Address, @Subject, @Detail)",
                rows, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return stored;
        }, cancellationToken, write: true);
    }

    public Task<IReadOnlyList<AuditEvent>> QueryAuditEventsAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10_000)
        {
            throw new StoreException(StoreErrorKind.Invalid, "The audit query limit must be 1 to 10,000.");
        }

        // Only fixed fragments are joined; every value travels as a parameter.
        var sql = new StringBuilder($"SELECT {EventColumns} FROM audit_events WHERE 1 = 1");
        if (query.Since is not null)
        {
            sql.Append(" AND at >= @since");
        }

        if (query.Until is not null)
        {
            sql.Append(" AND at < @until");
        }

        if (query.Kind is not null)
        {
            sql.Append(" AND kind = @kind");
        }

        if (query.AccountId is not null)
        {
            sql.Append(" AND account_id = @accountId");
        }

        if (query.BeforeId is not null)
        {
            sql.Append(" AND id < @beforeId");
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit");
        var parameters = new
        {
            since = query.Since?.ToUnixTimeMilliseconds(),
            until = query.Until?.ToUnixTimeMilliseconds(),
            kind = query.Kind,
            accountId = query.AccountId,
            beforeId = query.BeforeId,
            limit = (long)query.Limit,
        };
        return RunAsync<IReadOnlyList<AuditEvent>>(async c => [.. (await c.QueryAsync<EventRow>(Command(
            sql.ToString(), parameters, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToEvent())], cancellationToken);
    }

    private sealed class EventRow
    {
        public long Id { get; set; }

        public long At { get; set; }

        public string Kind { get; set; } = "";

        public string? AccountId { get; set; }

        public string? AuthtokenId { get; set; }

        public string? SessionId { get; set; }

        public string? Address { get; set; }

        public string? Subject { get; set; }

        public string? Detail { get; set; }

        public AuditEvent ToEvent() => new(Id, Time(At), Kind, AccountId, AuthtokenId, SessionId, Address, Subject, Detail);
    }
}
