using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Cluster;

/// <summary>
/// A loopback HTTP listener of a cluster node, where the node feeds the HTTP requests another node carried to it
/// (<see cref="InboundRouteStreams"/>): they go through the same handler as public requests — policy, traffic log,
/// forwarding to the agent — with the original client's address. Each connection starts with this process's secret
/// (so no other local program can pose as a client address) and a <see cref="RouteStreamHeader"/>.
/// </summary>
internal sealed class RelayListener
{
    /// <summary>The connection item holding the <see cref="RouteStreamHeader"/> of a relayed connection.</summary>
    public const string ConnectionItem = "burrow.relayed";

    private const int SecretLength = 32;

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(SecretLength);

    /// <summary>Where the listener is bound (loopback, a free port), once the edge started.</summary>
    public IPEndPoint? EndPoint { get; set; }

    /// <summary>The header of the relayed connection <paramref name="context"/> came in on, or <see langword="null"/> for a public one.</summary>
    public static RouteStreamHeader? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ConnectionItem, out object? header) == true ? header as RouteStreamHeader : null;

    /// <summary>Writes what the listener expects first on a connection: the secret, then <paramref name="header"/>.</summary>
    public async ValueTask WritePrefaceAsync(Stream stream, RouteStreamHeader header, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_secret, cancellationToken).ConfigureAwait(false);
        await header.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The connection middleware: checks the secret, reads the header, and makes the client's address the connection's.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => AcceptAsync(connection, next);

    private async Task AcceptAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        // Reads exactly what the preface holds: what follows is HTTP, left in the pipe for Kestrel.
        Stream input = connection.Transport.Input.AsStream(leaveOpen: true);
        byte[] secret = new byte[SecretLength];
        try
        {
            await input.ReadExactlyAsync(secret, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EndOfStreamException or OperationCanceledException or IOException)
        {
            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(secret, _secret)
            || await RouteStreamHeader.ReadAsync(input, connection.ConnectionClosed).ConfigureAwait(false) is not { Kind: RouteStreamKind.Http } header)
        {
            return;
        }

        if (IPEndPoint.TryParse(header.ClientAddress, out IPEndPoint? client))
        {
            connection.RemoteEndPoint = client;
        }

        connection.Items[ConnectionItem] = header;
        await next(connection).ConfigureAwait(false);
    }
}
