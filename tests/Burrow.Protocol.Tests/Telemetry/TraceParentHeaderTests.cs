using System.Diagnostics;
using System.Text;
using Burrow.Protocol.Telemetry;

namespace Burrow.Protocol.Tests.Telemetry;

public sealed class TraceParentHeaderTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Parent = "00f067aa0ba902b7";

    [Theory]
    [InlineData("traceparent: ")]
    [InlineData("TraceParent:")]
    [InlineData("TRACEPARENT:\t ")]
    public void A_head_with_traceparent_is_read_and_reparented_in_place(string name)
    {
        byte[] data = Encoding.ASCII.GetBytes($"GET /x HTTP/1.1\r\nHost: a\r\n{name}00-{Trace}-{Parent}-01\r\nAccept: */*\r\n\r\nbody");
        int length = data.Length;

        Assert.True(TraceParentHeader.TryFind(data, out ActivityContext parent, out int offset));
        Assert.Equal(Trace, parent.TraceId.ToHexString());
        Assert.Equal(Parent, parent.SpanId.ToHexString());
        Assert.True(parent.IsRemote);
        ActivitySpanId mine = ActivitySpanId.CreateRandom();
        TraceParentHeader.Reparent(data, offset, mine);

        string after = Encoding.ASCII.GetString(data);
        Assert.Equal(length, data.Length);
        Assert.Contains($"{name}00-{Trace}-{mine.ToHexString()}-01\r\nAccept: */*\r\n\r\nbody", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\ntraceparent: 00-" + Trace + "-" + Parent + "-01\r\n")]
    [InlineData("GET / HTTP/1.1\r\ntraceparent: 01-" + Trace + "-" + Parent + "-01\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\ntraceparent: 00-" + Trace + "-" + Parent + "-0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\ntraceparent: 00-00000000000000000000000000000000-" + Parent + "-01\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nx-traceparent: 00-" + Trace + "-" + Parent + "-01\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 70\r\n\r\n\r\ntraceparent: 00-" + Trace + "-" + Parent + "-01\r\n\r\n")]
    public void Anything_else_is_left_alone(string text)
    {
        Assert.False(TraceParentHeader.TryFind(Encoding.ASCII.GetBytes(text), out _, out _));
    }
}
