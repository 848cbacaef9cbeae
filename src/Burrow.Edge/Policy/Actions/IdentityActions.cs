using System.Collections;
using Burrow.Edge.Policy.Identity;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Policy.Variables;

namespace Burrow.Edge.Policy.Actions;

/// <summary><c>jwt-validation</c>: the request's token checked against the issuers, audiences and keys of the config (see <see cref="JwtValidationAction"/>).</summary>
internal sealed class JwtValidationPolicyAction : PolicyAction, IDisposable
{
    private readonly JwtValidationAction _action;

    private JwtValidationPolicyAction(JwtValidationAction action)
    {
        _action = action;
    }

    public override string Type => "jwt-validation";

    public static PolicyAction? Create(ActionConfig config)
    {
        var errors = new List<(string Path, string Message)>();
        JwtValidationAction? action = JwtValidationAction.Create(config.Json, config.Services.Http, config.Services.Time, errors);
        config.AddErrors(errors);
        return action is null ? null : new JwtValidationPolicyAction(action);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        IdentityOutcome outcome = await _action.ValidateAsync(context.Http!, context.Http!.RequestAborted).ConfigureAwait(false);
        return IdentityResults.Record(context, ResultName, outcome);
    }

    public void Dispose() => _action.Dispose();
}

/// <summary><c>oidc</c>: a sign-in with an OpenID provider at the edge, kept in a sealed cookie (see <see cref="OidcAction"/>).</summary>
internal sealed class OidcPolicyAction : PolicyAction
{
    private readonly OidcAction _action;

    private OidcPolicyAction(OidcAction action)
    {
        _action = action;
    }

    public override string Type => "oidc";

    public static PolicyAction? Create(ActionConfig config)
    {
        if (config.Services.OidcKeys is not { } keys)
        {
            config.Error("", "the oidc action needs the edge's cookie key, which this edge has no data directory to keep");
            return null;
        }

        var errors = new List<(string Path, string Message)>();
        OidcAction? action = OidcAction.Create(config.Json, keys, config.Services.Http, config.Services.Time, errors);
        config.AddErrors(errors);
        return action is null ? null : new OidcPolicyAction(action);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        IdentityOutcome outcome = await _action.HandleAsync(context.Http!, context.Http!.RequestAborted).ConfigureAwait(false);
        return IdentityResults.Record(context, ResultName, outcome);
    }
}

/// <summary>An identity action's claims as <c>actions.ngrok.&lt;action&gt;.*</c>, for the rules after it.</summary>
internal static class IdentityResults
{
    public static ActionResult Record(PolicyContext context, string name, IdentityOutcome outcome)
    {
        if (!outcome.Continue)
        {
            return ActionResult.Stop;
        }

        var result = new ResultMap();
        foreach ((string key, object? value) in outcome.Variables)
        {
            result.Set(key, ToCel(value));
        }

        context.SetResult(name, result);
        return ActionResult.Continue;
    }

    private static object? ToCel(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map => map.Aggregate(new ResultMap(), static (m, e) => m.Set(e.Key, ToCel(e.Value))),
        string or bool or long or double or null => value,
        int i => (long)i,
        IEnumerable list => list.Cast<object?>().Select(ToCel).ToList(),
        _ => value.ToString(),
    };
}
