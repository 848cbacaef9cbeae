using System.Globalization;
using Burrow.Agent.Events;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Cli.Screen;

/// <summary>
/// Words the agent's <see cref="AgentEvent"/>s for the person at the console: news on one writer (standard output),
/// errors with their hint on the other (standard error). The agent's sentences live here and nowhere else; scripts
/// and tests wait for them (<c>Forwarding https://... -&gt; ...</c>, <c>ERR_BURROW_nnnn: ...</c>), so they change only on purpose.
/// </summary>
internal sealed class AgentEventWriter
{
    private readonly TextWriter _output;
    private readonly TextWriter _errors;

    // One lock for both writers: an error stays next to its hint, and lines of events raised at once do not interleave.
    private readonly Lock _lock = new();

    public AgentEventWriter(TextWriter output, TextWriter errors)
    {
        _output = output;
        _errors = errors;
    }

    /// <summary>Writes the event's lines, flushed; an event the CLI has no words for writes nothing.</summary>
    public void Write(AgentEvent agentEvent)
    {
        (bool isError, string[] lines) = Word(agentEvent);
        if (lines.Length == 0)
        {
            return;
        }

        TextWriter writer = isError ? _errors : _output;
        lock (_lock)
        {
            foreach (string line in lines)
            {
                writer.WriteLine(line);
            }

            writer.Flush();
        }
    }

    /// <summary>The lines for <paramref name="agentEvent"/>, and whether they are an error (for standard error).</summary>
    public static (bool IsError, string[] Lines) Word(AgentEvent agentEvent) => agentEvent switch
    {
        WebInterfaceStarted { MovedFrom: { } wanted } web => News(
            $"Web Interface {web.Url}",
            $"Port {wanted} was taken (another program, or another agent): the web interface and agent API are on {web.Url} instead ('burrow status' lists every agent's)."),
        WebInterfaceStarted web => News($"Web Interface {web.Url}"),
        WebInterfaceFailed failed => Error(failed.Error, hint: true),
        TunnelStarted started => News($"Forwarding {started.Url} -> {started.ForwardsTo}"),
        TunnelStopped stopped => News($"Stopped tunnel {stopped.TunnelName}."),
        BindFailed failed => Error(failed.Error, hint: true),
        SessionResumed { AfterReconnect: true } => News("Reconnected to the edge; the session was resumed and the URLs are unchanged."),
        SessionResumed => News("Resumed the previous session; the URLs are unchanged."),
        ReconnectedSameUrls => News("Reconnected to the edge; the URLs are unchanged."),
        ReconnectedNewUrls => News("Reconnected to the edge with new URLs:"),
        SessionRefused { GivingUp: true } refused => Error(refused.Error, hint: true),
        SessionRefused refused => News($"The edge refused the session: {refused.Error}"),
        // Said in passing while the agent still tries; the hint comes with the last try, when it gives up.
        EdgeSetupProblem { GivingUp: true } problem => Error(problem.Error, hint: true),
        EdgeSetupProblem problem => News(problem.Error.ToString()),
        CannotReachEdge unreachable => News($"Cannot reach the edge at {unreachable.ServerAddress}: {unreachable.Reason}."),
        ConnectionLost lost => News($"Lost the connection to the edge ({lost.Reason})."),
        KeepaliveTimedOut timedOut => News(string.Create(CultureInfo.InvariantCulture, $"The edge did not answer a keepalive ping within {timedOut.Timeout.TotalSeconds:0} s.")),
        Reconnecting next => News(string.Create(CultureInfo.InvariantCulture, $"Reconnecting in {next.Delay.TotalSeconds:0.0} s (attempt {next.Attempt})...")),
        LegOnline leg => News($"Leg {leg.Number} online: node {leg.NodeName} ({leg.Address}) carries the tunnels too ({leg.Tunnels} bound)."),
        LegLost leg => News(string.Create(CultureInfo.InvariantCulture,
            $"Leg {leg.Number} to node {leg.NodeName} ({leg.Address}) is down ({leg.Reason}); the other legs carry the traffic. Retrying in {leg.RetryIn.TotalSeconds:0.0} s...")),
        EdgeNotice notice => News(Notice(notice)),
        // One per failed connection, so it may repeat: the code and message alone, without the hint.
        ForwardingFailed failed => Error(failed.Error, hint: false),
        _ => (false, []),
    };

    private static string Notice(EdgeNotice notice) => notice.Kind switch
    {
        NoticeKinds.Draining => "The edge is shutting down; requests in flight may finish, and the agent reconnects by itself.",
        NoticeKinds.ResumeExpired => "The previous session could not be resumed; binding the tunnels again.",
        NoticeKinds.TunnelEvicted => $"The edge removed tunnel {notice.TunnelId}: {notice.Message}",
        _ => notice.Error is { } error ? $"Notice from the edge: {notice.Message} ({error})" : $"Notice from the edge: {notice.Message}",
    };

    private static (bool, string[]) News(params string[] lines) => (false, lines);

    private static (bool, string[]) Error(ProtocolError error, bool hint) =>
        (true, hint && error.Lookup() is { } known ? [error.ToString(), $"  {known.Hint}"] : [error.ToString()]);
}
