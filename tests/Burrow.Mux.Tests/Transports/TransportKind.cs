namespace Burrow.Mux.Tests.Transports;

public enum TransportKind
{
    InMemoryPipe,
    LoopbackTcp,
    LoopbackTls,

    /// <summary>TLS over <see cref="Burrow.Mux.Transport.WriteCoalescingStream"/> on both ends, as the agent link runs.</summary>
    LoopbackTlsCoalesced,
}
