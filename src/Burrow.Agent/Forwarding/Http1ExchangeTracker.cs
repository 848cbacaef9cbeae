using System.Collections.Concurrent;
using Burrow.Agent.Http1;

namespace Burrow.Agent.Forwarding;

/// <summary>
/// The watch for HTTP tunnels with inspection off: follows the framing of requests and responses (one parser per
/// direction, each response paired with the oldest unanswered request) and records nothing.
/// </summary>
/// <remarks>
/// The request half runs on the thread that pumps toward the upstream, the response half on the other; they share the
/// queue of unanswered requests and the count of them. Each request costs its parsed head and nothing else.
/// </remarks>
internal sealed class Http1ExchangeTracker : IHttpExchangeWatch
{
    private readonly Http1MessageParser _requests;
    private readonly Http1MessageParser _responses;
    private readonly ConcurrentQueue<Unanswered> _unanswered = new();
    // Requests whose final response has not ended: written by both halves.
    private int _open;
    // The request the response being read answers: the response half only.
    private Unanswered? _answering;
    private bool _answerPersists;
    // A connection nobody has refused to keep counts as kept.
    private volatile bool _lastPersists = true;
    private volatile bool _lost;
    private long _requestHeads;
    private long _responsesEnded;

    public Http1ExchangeTracker()
    {
        _requests = new Http1MessageParser(Http1MessageKind.Request, new RequestHalf(this), Http1Limits.FramingOnly);
        _responses = new Http1MessageParser(Http1MessageKind.Response, new ResponseHalf(this), Http1Limits.FramingOnly);
    }

    // The count first: the response half sets _lastPersists before it lowers the count.
    public bool Idle => Volatile.Read(ref _open) == 0 && _lastPersists && !_lost
        && _requests.BetweenMessages && _responses.BetweenMessages;

    public bool AtRequestStart => !_lost && !_requests.Stopped && _requests.BetweenMessages;

    public long RequestHeads => Interlocked.Read(ref _requestHeads);

    public long ResponsesEnded => Interlocked.Read(ref _responsesEnded);

    public bool Answering => _lost || _answering is not null || !_responses.BetweenMessages;

    public void OnRequestBytes(ReadOnlySpan<byte> data) => Feed(_requests, data);

    public void OnResponseBytes(ReadOnlySpan<byte> data) => Feed(_responses, data);

    public void OnUpstreamEnded()
    {
        if (!_lost)
        {
            _responses.End();
        }
    }

    public void Complete()
    {
        _requests.Stop();
        _responses.Stop();
    }

    private void Feed(Http1MessageParser parser, ReadOnlySpan<byte> data)
    {
        if (_lost || parser.Stopped)
        {
            return;
        }

        try
        {
            // A protocol switch stops a parser without an error; either way the connection is no longer followed.
            _lost = !parser.Feed(data);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Tracking must never break the pump: a fault of ours only ends the reuse of this connection.
            _lost = true;
        }
    }

    private Unanswered? NextToAnswer()
    {
        if (_answering is null && _unanswered.TryDequeue(out Unanswered next))
        {
            _answering = next;
        }

        return _answering;
    }

    private readonly record struct Unanswered(string Method, bool AskedClose);

    private sealed class RequestHalf(Http1ExchangeTracker tracker) : IHttp1MessageSink
    {
        public string? RequestMethod => null;

        public void OnHead(Http1Head head, ReadOnlySpan<byte> raw)
        {
            Interlocked.Increment(ref tracker._open);
            Interlocked.Increment(ref tracker._requestHeads);
            tracker._unanswered.Enqueue(new Unanswered(head.Method, head.HasToken("Connection", "close")));
        }

        public void OnBody(ReadOnlySpan<byte> data)
        {
        }

        public void OnTrailers(ReadOnlySpan<byte> trailers)
        {
        }

        public void OnMessageEnd()
        {
        }
    }

    private sealed class ResponseHalf(Http1ExchangeTracker tracker) : IHttp1MessageSink
    {
        public string? RequestMethod => tracker.NextToAnswer()?.Method;

        public void OnHead(Http1Head head, ReadOnlySpan<byte> raw)
        {
            Unanswered? answering = tracker.NextToAnswer();
            if (!head.IsInterim || head.StatusCode == 101)
            {
                tracker._answerPersists = ConnectionPersistence.Persists(answering?.AskedClose ?? false, head);
            }
        }

        public void OnBody(ReadOnlySpan<byte> data)
        {
        }

        public void OnTrailers(ReadOnlySpan<byte> trailers)
        {
        }

        public void OnMessageEnd()
        {
            if (tracker._answering is not null)
            {
                tracker._answering = null;
                tracker._lastPersists = tracker._answerPersists;
                Interlocked.Decrement(ref tracker._open);
                Interlocked.Increment(ref tracker._responsesEnded);
            }
        }
    }
}
