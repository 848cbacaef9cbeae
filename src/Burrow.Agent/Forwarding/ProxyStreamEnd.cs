using System.Net.Security;
using Burrow.Mux.Streams;
using Burrow.Protocol.Pumping;

namespace Burrow.Agent.Forwarding;

/// <summary>The proxy stream as one end of a <see cref="DuplexPump"/>, through the agent's TLS when it terminates TLS.</summary>
internal static class ProxyStreamEnd
{
    public static PumpEnd Create(MuxStream tunnel, SslStream? tls)
    {
        Stream bytes = tls ?? (Stream)tunnel;
        return new PumpEnd(
            bytes,
            bytes,
            completeWrites: async () =>
            {
                if (tls is not null)
                {
                    // close_notify first, so the client knows the end is genuine and not a truncation.
                    await tls.ShutdownAsync().ConfigureAwait(false);
                }

                tunnel.CompleteWrites();
            },
            abort: tunnel.Abort,
            dispose: async () =>
            {
                if (tls is not null)
                {
                    await tls.DisposeAsync().ConfigureAwait(false);
                }

                await tunnel.DisposeAsync().ConfigureAwait(false);
            });
    }
}
