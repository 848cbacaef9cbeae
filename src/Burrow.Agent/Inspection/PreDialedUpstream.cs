using Burrow.Agent.Forwarding;

namespace Burrow.Agent.Inspection;

/// <summary>
/// The upstream connection dialled when the proxy stream arrived (so a dead upstream is still
/// reported to the edge before any byte, for its 502 page); the forwarder's first connect takes it.
/// </summary>
internal sealed class PreDialedUpstream : IAsyncDisposable
{
    public const string ItemKey = "burrow.predialed";

    private UpstreamConnection? _connection;

    public PreDialedUpstream(UpstreamConnection connection)
    {
        _connection = connection;
    }

    public UpstreamConnection? Take() => Interlocked.Exchange(ref _connection, null);

    public async ValueTask DisposeAsync()
    {
        if (Take() is { } unused)
        {
            await unused.DisposeAsync().ConfigureAwait(false);
        }
    }
}
