using System.Runtime.CompilerServices;

namespace Burrow.Edge.Policy.Expressions.Compilation;

/// <summary>Room for a call's arguments on the stack, so calling a function of up to four arguments allocates nothing.</summary>
[InlineArray(Capacity)]
internal struct ArgumentBuffer
{
    public const int Capacity = 4;

    private object? _first;
}
