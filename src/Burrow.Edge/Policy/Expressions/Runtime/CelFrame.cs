namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// The state of one evaluation: the macros' iteration variables (slots fixed at compile time) and the
/// iteration budget. Only programs with macros get one, so simple expressions allocate nothing.
/// </summary>
internal sealed class CelFrame(int slots, int maxIterations)
{
    private int _iterations;

    public object?[] Slots { get; } = new object?[slots];

    /// <summary>Counts one macro iteration against the budget shared by every macro of the evaluation.</summary>
    public void Tick()
    {
        if (++_iterations > maxIterations)
        {
            throw new CelEvaluationException($"more than {maxIterations} macro iterations in one evaluation");
        }
    }
}
