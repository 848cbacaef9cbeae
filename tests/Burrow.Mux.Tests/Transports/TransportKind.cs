namespace Burrow.Mux.Tests.Transports;

public enum TransportKind
{
    InMemoryPipe,
    LoopbackTcp,
    LoopbackTls,
}
