using Burrow.Agent.Events;
using Burrow.Cli.Screen;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Cli.Tests.Screen;

// The lines scripts and the end-to-end tests wait for: each is spelled out here, not rebuilt from the writer's code.
public sealed class AgentEventWriterTests
{
    [Fact]
    public void News_goes_to_standard_output_in_the_agents_usual_words()
    {
        (string output, string errors) = Write(
            new WebInterfaceStarted("http://127.0.0.1:4041", MovedFrom: 4040),
            new TunnelStarted("web", "https://demo.example.com", "http://localhost:8080"),
            new ConnectionLost("no keepalive answer from the edge"),
            new Reconnecting(TimeSpan.FromMilliseconds(1234), 3),
            new CannotReachEdge("edge.example.com:4443", "Connection refused"),
            new SessionResumed(AfterReconnect: true),
            new SessionResumed(AfterReconnect: false),
            new ReconnectedNewUrls("web"),
            new ReconnectedSameUrls("web"),
            new KeepaliveTimedOut(TimeSpan.FromSeconds(10)),
            new SessionRefused(ErrorCodes.SessionQuotaReached.ToError(2), GivingUp: false),
            new TunnelStopped("web"));

        Assert.Equal(Lines(
            "Web Interface http://127.0.0.1:4041",
            "Port 4040 was taken (another program, or another agent): the web interface and agent API are on http://127.0.0.1:4041 instead ('burrow status' lists every agent's).",
            "Forwarding https://demo.example.com -> http://localhost:8080",
            "Lost the connection to the edge (no keepalive answer from the edge).",
            "Reconnecting in 1.2 s (attempt 3)...",
            "Cannot reach the edge at edge.example.com:4443: Connection refused.",
            "Reconnected to the edge; the session was resumed and the URLs are unchanged.",
            "Resumed the previous session; the URLs are unchanged.",
            "Reconnected to the edge with new URLs:",
            "Reconnected to the edge; the URLs are unchanged.",
            "The edge did not answer a keepalive ping within 10 s.",
            "The edge refused the session: " + ErrorCodes.SessionQuotaReached.ToError(2),
            "Stopped tunnel web."), output);
        Assert.Equal("", errors);
    }

    [Fact]
    public void Legs_coming_and_going_are_news()
    {
        (string output, string errors) = Write(
            new LegOnline(1, "edge-b", "edge-b.example.com:4443", 2),
            new LegLost(1, "edge-b", "edge-b.example.com:4443", "the node closed the connection", TimeSpan.FromMilliseconds(730)));

        Assert.Equal(Lines(
            "Leg 1 online: node edge-b (edge-b.example.com:4443) carries the tunnels too (2 bound).",
            "Leg 1 to node edge-b (edge-b.example.com:4443) is down (the node closed the connection); the other legs carry the traffic. Retrying in 0.7 s..."), output);
        Assert.Equal("", errors);
    }

    [Fact]
    public void Notices_are_worded_by_kind()
    {
        (string output, _) = Write(
            new EdgeNotice(NoticeKinds.Draining, "draining", null, null),
            new EdgeNotice(NoticeKinds.ResumeExpired, "expired", null, null),
            new EdgeNotice(NoticeKinds.TunnelEvicted, "the token was revoked", "tun_1", null),
            new EdgeNotice("future_kind", "something new", null, null));

        Assert.Equal(Lines(
            "The edge is shutting down; requests in flight may finish, and the agent reconnects by itself.",
            "The previous session could not be resumed; binding the tunnels again.",
            "The edge removed tunnel tun_1: the token was revoked",
            "Notice from the edge: something new"), output);
    }

    [Fact]
    public void Final_errors_go_to_standard_error_with_their_hint_and_per_connection_failures_without()
    {
        ProtocolError upstream = ErrorCodes.UpstreamUnreachable.ToError("localhost:9", "Connection refused");
        (string output, string errors) = Write(
            new SessionRefused(ErrorCodes.InvalidAuthtoken.ToError(), GivingUp: true),
            new ForwardingFailed(upstream),
            new EdgeSetupProblem(ErrorCodes.EdgeHostNotFound.ToError("edge.invalid", "Name or service not known"), GivingUp: false));

        Assert.Equal(Lines(
            "ERR_BURROW_1002: The authtoken is not valid.",
            "  Check that the token was copied whole and has not been revoked or expired; ask the edge operator for a new one.",
            "ERR_BURROW_3002: The agent could not connect to localhost:9: Connection refused."), errors);
        // Still trying: said in passing on standard output, without the hint.
        Assert.Equal(Lines("ERR_BURROW_1008: The edge's host name 'edge.invalid' does not resolve: Name or service not known."), output);
    }

    private static (string Output, string Errors) Write(params AgentEvent[] events)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var writer = new AgentEventWriter(output, errors);
        foreach (AgentEvent agentEvent in events)
        {
            writer.Write(agentEvent);
        }

        return (output.ToString(), errors.ToString());
    }

    private static string Lines(params string[] lines) => string.Concat(lines.Select(line => line + Environment.NewLine));
}
