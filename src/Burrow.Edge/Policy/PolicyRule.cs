using Burrow.Edge.Policy.Actions;
using Burrow.Edge.Policy.Expressions;

namespace Burrow.Edge.Policy;

/// <summary>One rule: when every expression holds (or there is none), its actions run in order.</summary>
internal sealed class PolicyRule
{
    public PolicyRule(string name, IReadOnlyList<CelProgram<PolicyContext>> expressions, IReadOnlyList<PolicyAction> actions)
    {
        Name = name;
        Expressions = [.. expressions];
        Actions = [.. actions];
    }

    /// <summary>The rule's name, or <c>#N</c> (its place in the phase, from 1) when it has none.</summary>
    public string Name { get; }

    public CelProgram<PolicyContext>[] Expressions { get; }

    public PolicyAction[] Actions { get; }

    /// <summary>Whether the rule applies; an expression that fails throws <see cref="CelEvaluationException"/>.</summary>
    public bool Matches(PolicyContext context)
    {
        foreach (CelProgram<PolicyContext> expression in Expressions)
        {
            if (!expression.EvaluateBool(context))
            {
                return false;
            }
        }

        return true;
    }
}
