using System.Data.Common;
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
            row.Id = await c.ExecuteScalarAsync<long>(
                "INSERT INTO audit_events (at, kind, account_id, authtoken_id, session_id, address, subject, detail) " +
                "VALUES (@At, @Kind, @AccountId, @AuthtokenId, @SessionId, @Address, @Subject, @Detail) RETURNING id",
                new { row.At, row.Kind, row.AccountId, row.AuthtokenId, row.SessionId, row.Address, row.Subject, row.Detail, cancellationToken }).ConfigureAwait(false);
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
            // One statement per row, inside the one transaction.
            int stored = 0;
            foreach (EventRow row in rows)
            {
                stored += await c.ExecuteAsync(
                    "INSERT INTO audit_events (at, kind, account_id, authtoken_id, session_id, address, subject, detail) " +
                    "VALUES (@At, @Kind, @AccountId, @AuthtokenId, @SessionId, @Address, @Subject, @Detail)",
                    new { row.At, row.Kind, row.AccountId, row.AuthtokenId, row.SessionId, row.Address, row.Subject, row.Detail, cancellationToken },
                    transaction).ConfigureAwait(false);
            }

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

        // Only fixed fragments are joined; every value travels as a parameter. The statement's text
        // depends on the filters, which Dapper.AOT cannot intercept together with a cancellation
        // token, so this one query is plain ADO.NET.
        var sql = new StringBuilder($"SELECT {EventColumns} FROM audit_events WHERE 1 = 1");
        var parameters = new List<(string Name, object Value)>();
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(condition);
                parameters.Add((name, value));
            }
        }

        Filter("at >= @since", "since", query.Since?.ToUnixTimeMilliseconds());
        Filter("at < @until", "until", query.Until?.ToUnixTimeMilliseconds());
        Filter("kind = @kind", "kind", query.Kind);
        Filter("account_id = @accountId", "accountId", query.AccountId);
        Filter("id < @beforeId", "beforeId", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        parameters.Add(("limit", (long)query.Limit));
        return RunAsync<IReadOnlyList<AuditEvent>>(async c =>
        {
            DbCommand command = c.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
#pragma warning disable CA2100 // The text is built from the fixed fragments above only.
                command.CommandText = sql.ToString();
#pragma warning restore CA2100
                foreach (var (name, value) in parameters)
                {
                    DbParameter parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = value;
                    command.Parameters.Add(parameter);
                }

                var events = new List<AuditEvent>();
                DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        events.Add(ReadEvent(reader).ToEvent());
                    }
                }

                return events;
            }
        }, cancellationToken);
    }

    /// <summary>One row of <see cref="EventColumns"/>, in that order.</summary>
    private static EventRow ReadEvent(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        At = reader.GetInt64(1),
        Kind = reader.GetString(2),
        AccountId = NullableString(reader, 3),
        AuthtokenId = NullableString(reader, 4),
        SessionId = NullableString(reader, 5),
        Address = NullableString(reader, 6),
        Subject = NullableString(reader, 7),
        Detail = NullableString(reader, 8),
    };

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal sealed class EventRow
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
