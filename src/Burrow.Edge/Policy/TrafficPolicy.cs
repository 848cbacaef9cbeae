namespace Burrow.Edge.Policy;

/// <summary>
/// A compiled traffic policy: its three phases, ready to run per request or connection. Built by
/// <see cref="Loading.PolicyLoader"/>; a tunnel may hold two, the operator's pinned one (run first) and its agent's.
/// </summary>
internal sealed class TrafficPolicy : IDisposable
{
    private int _disposed;

    public TrafficPolicy(PolicyPhase onTcpConnect, PolicyPhase onHttpRequest, PolicyPhase onHttpResponse)
    {
        OnTcpConnect = onTcpConnect;
        OnHttpRequest = onHttpRequest;
        OnHttpResponse = onHttpResponse;
    }

    public PolicyPhase OnTcpConnect { get; }

    public PolicyPhase OnHttpRequest { get; }

    public PolicyPhase OnHttpResponse { get; }

    public ValueTask<Actions.ActionResult> RunAsync(PolicyPhaseKind phase, PolicyContext context)
    {
        context.Phase = phase;
        return phase switch
        {
            PolicyPhaseKind.TcpConnect => OnTcpConnect.RunAsync(context),
            PolicyPhaseKind.HttpRequest => OnHttpRequest.RunAsync(context),
            _ => OnHttpResponse.RunAsync(context),
        };
    }

    public bool IsEmpty => OnTcpConnect.IsEmpty && OnHttpRequest.IsEmpty && OnHttpResponse.IsEmpty;

    /// <summary>Disposes the actions that hold resources (JWKS managers, identity caches); a second call does nothing.</summary>
    public void Dispose()
    {
        // A tunnel that took the policy may dispose it before the binder that compiled it does (a bind refused late).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (PolicyPhase phase in (PolicyPhase[])[OnTcpConnect, OnHttpRequest, OnHttpResponse])
        {
            foreach (PolicyRule rule in phase.Rules)
            {
                foreach (Actions.PolicyAction action in rule.Actions)
                {
                    (action as IDisposable)?.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// The same rules with <paramref name="prefix"/> before their names, so that messages (a deny's page, a failed
    /// expression's log line) tell the operator's pinned rules from the agent's. The actions are shared, not copied.
    /// </summary>
    public TrafficPolicy WithRuleNamePrefix(string prefix)
    {
        static PolicyPhase Renamed(PolicyPhase phase, string prefix) => phase.IsEmpty
            ? phase
            : new PolicyPhase([.. phase.Rules.Select(r => new PolicyRule(prefix + r.Name, r.Expressions, r.Actions))]);

        return new TrafficPolicy(Renamed(OnTcpConnect, prefix), Renamed(OnHttpRequest, prefix), Renamed(OnHttpResponse, prefix));
    }

    /// <summary>
    /// The operator's policy followed by the agent's, phase by phase; either may be absent. A terminating action of the
    /// first ends the phase before any rule of the second runs. The result shares the rules: dispose the two, not it.
    /// </summary>
    public static TrafficPolicy? Combine(TrafficPolicy? first, TrafficPolicy? second) => (first, second) switch
    {
        (null, var only) => only,
        (var only, null) => only,
        ({ } a, { } b) => new TrafficPolicy(
            new PolicyPhase([.. a.OnTcpConnect.Rules, .. b.OnTcpConnect.Rules]),
            new PolicyPhase([.. a.OnHttpRequest.Rules, .. b.OnHttpRequest.Rules]),
            new PolicyPhase([.. a.OnHttpResponse.Rules, .. b.OnHttpResponse.Rules])),
    };
}
