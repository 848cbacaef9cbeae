namespace Burrow.Mux.Tests.Muxado;

/// <summary>The transports muxado sessions are tested over.</summary>
public enum MuxadoTransport
{
    InMemoryPipe,
    LoopbackTcp,
    LoopbackTls,
}
