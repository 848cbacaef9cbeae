using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Burrow.Agent.Inspection;

/// <summary>
/// Hands Kestrel the proxy streams the inspector takes over. It must also be a selector: Kestrel asks the
/// factories last-registered first and would otherwise give this one the socket endpoints too.
/// </summary>
internal sealed class ProxyStreamListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly Channel<ConnectionContext> _connections = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false });

    public bool CanBind(EndPoint endpoint) => endpoint is TunnelEndPoint;

    /// <summary>Queues a connection for Kestrel; false once the listener is gone.</summary>
    public bool TryAdd(ConnectionContext connection) => _connections.Writer.TryWrite(connection);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(new Listener(endpoint, _connections));

    private sealed class Listener : IConnectionListener
    {
        private readonly Channel<ConnectionContext> _connections;

        public Listener(EndPoint endpoint, Channel<ConnectionContext> connections)
        {
            EndPoint = endpoint;
            _connections = connections;
        }

        public EndPoint EndPoint { get; }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await _connections.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // Null tells Kestrel to stop accepting.
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _connections.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _connections.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
