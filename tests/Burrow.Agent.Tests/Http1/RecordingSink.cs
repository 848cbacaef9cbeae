using System.Text;
using Burrow.Agent.Http1;

namespace Burrow.Agent.Tests.Http1;

/// <summary>Writes down what a parser reports, as lines, with adjacent body pieces joined (so any split reads the same).</summary>
internal sealed class RecordingSink : IHttp1MessageSink
{
    private readonly StringBuilder _body = new();

    public List<string> Events { get; } = [];

    public List<Http1Head> Heads { get; } = [];

    /// <summary>What the response parser is told the request's method was.</summary>
    public string? RequestMethod { get; set; }

    /// <summary>The raw heads the parser handed over, as text.</summary>
    public List<string> RawHeads { get; } = [];

    public void OnHead(Http1Head head, ReadOnlySpan<byte> raw)
    {
        RawHeads.Add(Encoding.Latin1.GetString(raw));
        Flush();
        Heads.Add(head);
        string start = head.Method.Length > 0 ? $"{head.Method} {head.Target} {head.Version}" : $"{head.Version} {head.StatusCode} {head.ReasonPhrase}";
        Events.Add($"head {start} [{string.Join("; ", head.Headers.Select(h => $"{h.Key}={h.Value}"))}]");
    }

    public void OnBody(ReadOnlySpan<byte> data) => _body.Append(Encoding.Latin1.GetString(data));

    public void OnTrailers(ReadOnlySpan<byte> raw)
    {
        List<KeyValuePair<string, string>> trailers = [];
        Assert.Null(Http1HeadReader.ReadFields(raw, Http1Limits.Default, trailers));
        Flush();
        Events.Add($"trailers [{string.Join("; ", trailers.Select(h => $"{h.Key}={h.Value}"))}]");
    }

    public void OnMessageEnd()
    {
        Flush();
        Events.Add("end");
    }

    public List<string> Finish()
    {
        Flush();
        return Events;
    }

    private void Flush()
    {
        if (_body.Length > 0)
        {
            Events.Add($"body {_body}");
            _body.Clear();
        }
    }
}
