namespace Burrow.Edge.Policy;

/// <summary>
/// A compiled traffic policy: its three phases, ready to run per request or connection. Built by
/// <see cref="Loading.PolicyLoader"/>; a tunnel may hold two, the operator's pinned one (run first) and its agent's.
/// </summary>
internal sealed class TrafficPolicy : IDisposable
{
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

    public void Dispose()
    {
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

    /// <summary>The operator's policy followed by the agent's, phase by phase; either may be absent.</summary>
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
