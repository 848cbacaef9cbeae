using System.Globalization;
using System.Security.Cryptography;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// This edge as a node of a cluster: its lease in the node registry, the cluster CA and its node certificate, the node
/// links and their listener, started in that order (a duplicate name is refused before anything listens) and stopped in
/// the reverse one (the row is deleted last, so the other nodes see it leave at once).
/// </summary>
internal sealed class ClusterMembership : IAsyncDisposable
{
    private int _closed;
    private int _disposed;

    private ClusterMembership(ClusterOptions options, NodeRegistry registry, ClusterAuthority authority, NodeLinks links, NodeLinkListener listener)
    {
        Options = options;
        Registry = registry;
        Authority = authority;
        Links = links;
        Listener = listener;
    }

    public ClusterOptions Options { get; }

    public NodeRegistry Registry { get; }

    public ClusterAuthority Authority { get; }

    public NodeLinks Links { get; }

    public NodeLinkListener Listener { get; }

    /// <summary>
    /// Joins the cluster: checks the settings and the store, takes the node name, loads the CA, binds the link port.
    /// Failures are <see cref="InvalidOperationException"/> or <see cref="IOException"/> with the error code in the message.
    /// </summary>
    public static async Task<ClusterMembership> JoinAsync(
        ClusterOptions options, IControlStore? store, int agentPort, Func<string> load, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (options.Validate() is { } invalid)
        {
            throw new InvalidOperationException(ErrorCodes.ClusterSettingsInvalid.ToError(invalid).ToString());
        }

        if (store is not { Kind: StoreKind.Postgres })
        {
            throw new InvalidOperationException(ErrorCodes.ClusterNeedsPostgres.ToError(store is null ? "no control store" : "SQLite " + store.Description).ToString());
        }

        // The CA first (operator files are checked before the name is taken, so a bad file does not hold the name).
        ClusterAuthority authority = await LoadAuthorityAsync(options, store, time, cancellationToken).ConfigureAwait(false);
        var registry = new NodeRegistry(store, options, options.EffectiveAgentAddress(agentPort), load, time, loggers.CreateLogger<NodeRegistry>());
        var links = new NodeLinks(options, registry, authority, time, loggers.CreateLogger<NodeLinks>());
        NodeLinkListener? listener = null;
        try
        {
            // Bound before the name is taken: the moment the others see this node, its link port takes their dials
            // (they wait in the backlog until the listener accepts, once the registry can vouch for them).
            listener = NodeLinkListener.Bind(options.EffectiveListenEndPoint(), links, registry, authority, loggers.CreateLogger<NodeLinkListener>());
            await registry.JoinAsync(cancellationToken).ConfigureAwait(false);
            listener.Start();
            links.Start();
            return new ClusterMembership(options, registry, authority, links, listener);
        }
        catch (Exception ex) when (ex is StoreException or IOException or InvalidOperationException)
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            await links.DisposeAsync().ConfigureAwait(false);

            await registry.LeaveAsync(CancellationToken.None).ConfigureAwait(false);
            await registry.DisposeAsync().ConfigureAwait(false);
            authority.Dispose();
            if (ex is StoreException store5003)
            {
                throw new InvalidOperationException(ErrorCodes.StoreUnavailable.ToError(store5003.Message.TrimEnd('.')).ToString(), ex);
            }

            throw;
        }
    }

    /// <summary>The link RTT to <paramref name="nodeName"/> in milliseconds, when a link is up and has been pinged.</summary>
    public double? LinkRttMilliseconds(string nodeName) =>
        Links.Links.TryGetValue(nodeName, out NodeLink? link) && link.Rtt is { } rtt ? Math.Round(rtt.TotalMilliseconds, 3) : null;

    /// <summary>The cluster's state for <c>/healthz</c>: <c>ok</c>, or <c>degraded</c> while the heartbeat cannot be written.</summary>
    public string State => Registry.HeartbeatError is null ? "ok" : "degraded";

    /// <summary>Leaves the cluster: closes the links, deletes this node's row.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await CloseLinksAsync().ConfigureAwait(false);
            await Registry.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await CloseLinksAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Registry.DisposeAsync().ConfigureAwait(false);
            Authority.Dispose();
        }
    }

    // Accepting stops first, then the links close (which ends the connections the listener serves), then the listener
    // waits for those.
    private async Task CloseLinksAsync()
    {
        Listener.StopAccepting();
        await Links.DisposeAsync().ConfigureAwait(false);
        await Listener.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<ClusterAuthority> LoadAuthorityAsync(ClusterOptions options, IControlStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return options.CaCertificatePath is { } ca
                ? ClusterAuthority.FromFiles(ca, options.CertificatePath!, options.KeyPath!, options.NodeName)
                : await ClusterAuthority.FromStoreAsync(store, options.NodeName, time, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind is StoreErrorKind.CannotUnseal or StoreErrorKind.Invalid)
        {
            throw new InvalidOperationException(ErrorCodes.ClusterCaUnusable.ToError(ex.Message.TrimEnd('.')).ToString(), ex);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(ErrorCodes.ClusterCaUnusable.ToError(ex.Message.TrimEnd('.')).ToString(), ex);
        }
        catch (StoreException ex)
        {
            throw new InvalidOperationException(ErrorCodes.StoreUnavailable.ToError(ex.Message.TrimEnd('.')).ToString(), ex);
        }
    }

    /// <summary>The time a row was written, for messages.</summary>
    internal static string Format(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);
}
