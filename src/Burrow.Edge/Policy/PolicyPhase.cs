using Burrow.Edge.Policy.Actions;
using Burrow.Edge.Policy.Expressions;

namespace Burrow.Edge.Policy;

/// <summary>The rules of one phase, run in order until an action stops the request or connection.</summary>
internal sealed class PolicyPhase
{
    public static readonly PolicyPhase Empty = new([]);

    public PolicyPhase(IReadOnlyList<PolicyRule> rules)
    {
        Rules = [.. rules];
    }

    public PolicyRule[] Rules { get; }

    public bool IsEmpty => Rules.Length == 0;

    /// <summary>
    /// Runs the rules; <see cref="ActionResult.Stop"/> when an action answered. An expression that fails at run time
    /// throws <see cref="PolicyEvaluationException"/> naming the rule: the caller refuses the request (fail closed).
    /// </summary>
    public async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        foreach (PolicyRule rule in Rules)
        {
            context.RuleName = rule.Name;
            bool matches;
            try
            {
                matches = rule.Matches(context);
            }
            catch (CelEvaluationException ex)
            {
                throw new PolicyEvaluationException(rule.Name, ex.Message, ex);
            }

            if (!matches)
            {
                continue;
            }

            foreach (PolicyAction action in rule.Actions)
            {
                ActionResult result;
                try
                {
                    ValueTask<ActionResult> pending = action.RunAsync(context);
                    result = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
                }
                catch (CelEvaluationException ex)
                {
                    throw new PolicyEvaluationException(rule.Name, $"{action.Type}: {ex.Message}", ex);
                }

                if (result == ActionResult.Stop)
                {
                    return ActionResult.Stop;
                }
            }
        }

        return ActionResult.Continue;
    }
}

/// <summary>An expression of a rule (its condition, or a <c>${…}</c> in an action's config) failed for this request.</summary>
internal sealed class PolicyEvaluationException : Exception
{
    public PolicyEvaluationException(string rule, string reason, Exception inner)
        : base($"rule {rule}: {reason}", inner)
    {
        Rule = rule;
        Reason = reason;
    }

    public string Rule { get; }

    public string Reason { get; }
}
