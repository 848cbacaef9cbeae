namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// One action of a rule, built once when the tunnel binds (config checked and compiled then) and run for each request
/// or connection the rule matches.
/// </summary>
internal abstract class PolicyAction
{
    /// <summary>ngrok's name of the action, for example <c>rate-limit</c>.</summary>
    public abstract string Type { get; }

    /// <summary>Runs the action; <see cref="ActionResult.Stop"/> when it answered the request or closed the connection.</summary>
    public abstract ValueTask<ActionResult> RunAsync(PolicyContext context);

    /// <summary>The name results go under in <c>actions.ngrok.*</c>: the type in snake case.</summary>
    public string ResultName => Type.Replace('-', '_');
}

/// <summary>What happens after an action.</summary>
internal enum ActionResult
{
    /// <summary>The next action (or rule) runs.</summary>
    Continue,

    /// <summary>The action answered (or closed the connection); nothing else runs and nothing goes to the agent.</summary>
    Stop,
}
