namespace Burrow.Mux.Tests;

/// <summary>
/// Tests that must not share the machine with the rest: heavy interop transfers (they would
/// starve timing-sensitive keepalive tests on a 2-core box) and the fuzzer, whose memory bound
/// reads the process-wide GC heap. xUnit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Serial";
}
