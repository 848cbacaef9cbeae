using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>
/// Moving legs off a draining node (<c>notice: move</c>, docs/cluster.md "Draining"): a leg on another live node of the
/// latest list is opened and online first, then the leg on the draining node is let go, so some leg always carries.
/// </summary>
internal sealed partial class LegSet
{
    // How long a move waits for the new leg to come online before letting the old one go anyway.
    private static readonly TimeSpan MoveWait = TimeSpan.FromSeconds(20);

    // How long a leg let go waits for the requests it carries (a node's default drain timeout).
    private static readonly TimeSpan InFlightWait = TimeSpan.FromSeconds(30);

    // An extra leg's node is draining: open a leg on another node, then drop this one.
    private async Task MoveExtraLegAsync(ExtraLeg leaving)
    {
        ExtraLeg? replacement = null;
        lock (_lock)
        {
            if (_stopped || !_extra.Contains(leaving))
            {
                return;
            }

            _draining.Add(leaving.Node.Name);
            if (FreeNode() is { } node && FreeNumber() is int number and > 0)
            {
                replacement = StartLeg(number, node);
            }
        }

        if (replacement is { } opened)
        {
            await WaitOnlineAsync(() => opened.Live is not null).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (_extra.Remove(leaving))
            {
                _stopping.Add(leaving.LetGoAsync(InFlightWait));
            }
        }
    }

    // The first leg's node is draining: it moves to a node no leg is on, or else to the node of a live extra leg
    // (which the first leg replaces once online there, see AddLegs); with no leg online elsewhere, one is opened first.
    private async Task MoveFirstLegAsync()
    {
        EdgeNode? target;
        ExtraLeg? bridge = null;
        lock (_lock)
        {
            if (_stopped || _first.NodeName is not { } here)
            {
                return;
            }

            _draining.Add(here);
            ExtraLeg? carrying = _extra.FirstOrDefault(l => l.Live is not null && !_draining.Contains(l.Node.Name));
            target = carrying?.Node ?? FreeNode();
            if (carrying is null && target is not null && FreeNumber() is int number and > 0)
            {
                bridge = StartLeg(number, target);
            }
        }

        if (target is null)
        {
            // No other node listed: the leg stays until the node cuts it, then retries its address as before.
            return;
        }

        if (bridge is { } opened)
        {
            await WaitOnlineAsync(() => opened.Live is not null).ConfigureAwait(false);
        }

        _first.MoveTo(target.Addr);
    }

    // Under _lock: the first node of the latest list that is not draining and that no leg is on.
    private EdgeNode? FreeNode() => _offered.FirstOrDefault(n =>
        n.Addr.Length > 0 && !_draining.Contains(n.Name) && n.Name != _first.NodeName && !_extra.Exists(l => l.Node.Name == n.Name));

    // Under _lock: a leg number not in use (0 when all are).
    private int FreeNumber() => Enumerable.Range(1, AgentOptions.MaxLegs).FirstOrDefault(n => !_extra.Exists(l => l.Number == n));

    private async Task WaitOnlineAsync(Func<bool> online)
    {
        using var timeout = new CancellationTokenSource(MoveWait);
        try
        {
            while (!online() && !_stopped)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Let the old leg go anyway: its node is leaving.
        }
    }
}
