using Npgsql;

namespace Burrow.Storage.Routes;

/// <summary>
/// A connection that follows <c>LISTEN</c> channels (from <see cref="RouteTable.OpenListenerAsync"/>). Notifications
/// arrive through <see cref="Notified"/>, on the thread that called <see cref="WaitAsync"/>; once the connection fails,
/// it is done: dispose it and open another (and reload, since notifications sent meanwhile are lost).
/// </summary>
public sealed class TableListener : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    internal TableListener(NpgsqlConnection connection)
    {
        _connection = connection;
        _connection.Notification += (_, e) => Notified?.Invoke(e.Channel, e.Payload);
    }

    /// <summary>Raised with the channel and payload of each notification.</summary>
    public event Action<string, string>? Notified;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for notifications (raising <see cref="Notified"/> for each); at the
    /// timeout, checks that the server still answers, so a silently dead connection is found within one timeout.
    /// </summary>
    /// <exception cref="StoreException">The connection failed.</exception>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _connection.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"The cluster's notification connection failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
