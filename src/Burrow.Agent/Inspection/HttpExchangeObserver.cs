using System.Diagnostics;
using Burrow.Agent.Forwarding;
using Burrow.Agent.Http1;
using Burrow.Agent.Session;
using Burrow.Protocol.Errors;

namespace Burrow.Agent.Inspection;

/// <summary>
/// Records the HTTP/1.x exchanges of one proxy stream from the bytes pumped between it and the upstream: one
/// parser per direction, requests paired with responses in order (keep-alive and pipelining), each exchange
/// handed to the inspector when both halves have ended.
/// </summary>
/// <remarks>
/// The pump calls it with each read before forwarding it, so a request is known before the upstream can
/// answer it. It never changes or holds the bytes; it copies only heads split across reads and the capped
/// body prefix. When it cannot follow the connection it stops for good (logged once), and the pump goes on.
/// The request half runs on one thread, the response half on another; they share only the queue of requests
/// awaiting a response (under <see cref="_lock"/>, the only lock here) and each exchange's end count.
/// </remarks>
internal sealed partial class HttpExchangeObserver : IHttpExchangeWatch
{
    private readonly HttpInspector _inspector;
    private readonly ActiveTunnel _tunnel;
    private readonly string _clientAddr;
    private readonly Http1MessageParser _requests;
    private readonly Http1MessageParser _responses;
    private readonly Lock _lock = new();
    private readonly Queue<ObservedExchange> _awaitingResponse = new();
    // The request being read: touched by the request direction only, and by Complete once both have stopped.
    private ObservedExchange? _requesting;
    // The exchange whose response is being read: the response direction only, and Complete.
    private ObservedExchange? _responding;
    private volatile string? _stoppedBecause;
    private volatile bool _upstreamEnded;
    // Requests whose final response has not ended (both halves), and whether the last one answered left the connection open.
    private int _open;
    private long _requestHeads;
    private long _responsesEnded;
    private volatile bool _lastPersists = true;

    public HttpExchangeObserver(HttpInspector inspector, ActiveTunnel tunnel, string clientAddr)
    {
        _inspector = inspector;
        _tunnel = tunnel;
        _clientAddr = clientAddr;
        // Framing only: the capture keeps each head raw, and the inspector parses it when someone looks.
        _requests = new Http1MessageParser(Http1MessageKind.Request, new RequestHalf(this), Http1Limits.FramingOnly);
        _responses = new Http1MessageParser(Http1MessageKind.Response, new ResponseHalf(this), Http1Limits.FramingOnly);
    }

    /// <inheritdoc/>
    public bool Idle => Volatile.Read(ref _open) == 0 && _lastPersists && _stoppedBecause is null
        && !_requests.Stopped && !_responses.Stopped && _requests.BetweenMessages && _responses.BetweenMessages;

    /// <inheritdoc/>
    public bool AtRequestStart => _stoppedBecause is null && !_requests.Stopped && _requests.BetweenMessages;

    public long RequestHeads => Interlocked.Read(ref _requestHeads);

    public long ResponsesEnded => Interlocked.Read(ref _responsesEnded);

    public bool Answering => _stoppedBecause is not null || _responses.Stopped || _responding is not null || !_responses.BetweenMessages;

    /// <summary>Bytes from the client, about to go to the upstream.</summary>
    public void OnRequestBytes(ReadOnlySpan<byte> data) => Feed(_requests, data);

    /// <summary>Bytes from the upstream, about to go to the client.</summary>
    public void OnResponseBytes(ReadOnlySpan<byte> data) => Feed(_responses, data);

    /// <summary>The upstream ended its side: a response framed by the close is complete.</summary>
    public void OnUpstreamEnded()
    {
        _upstreamEnded = true;
        if (_stoppedBecause is null)
        {
            Guard(_responses, static p => p.End());
        }
    }

    /// <summary>The connection is over (both directions stopped): what is still open is recorded as it stands.</summary>
    public void Complete()
    {
        _requests.Stop();
        _responses.Stop();
        List<ObservedExchange> open;
        lock (_lock)
        {
            open = [.. _awaitingResponse];
            _awaitingResponse.Clear();
        }

        foreach (ObservedExchange? exchange in new[] { _responding, _requesting }.Concat(open).Distinct())
        {
            if (exchange is not null)
            {
                RecordUnfinished(exchange);
            }
        }

        _responding = null;
        _requesting = null;
    }

    private void Feed(Http1MessageParser parser, ReadOnlySpan<byte> data)
    {
        if (_stoppedBecause is not null || parser.Stopped)
        {
            return;
        }

        try
        {
            if (!parser.Feed(data) && parser.Error is { } error)
            {
                StopObserving(error);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The observer must never break the pump: a fault of ours ends observation, never the connection.
            StopObserving(ex.Message);
        }
    }

    private void Guard(Http1MessageParser parser, Action<Http1MessageParser> action)
    {
        try
        {
            action(parser);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            StopObserving(ex.Message);
        }
    }

    private void StopObserving(string reason)
    {
        if (_stoppedBecause is null)
        {
            _stoppedBecause = reason;
            Log.ObservationStopped(_inspector.Logger, _tunnel.Definition.Name, reason);
        }
    }

    private ObservedExchange Begin(Http1Head head, ReadOnlySpan<byte> raw)
    {
        bool asksUpgrade = head.Method == "CONNECT" || (head.Header("Upgrade") is not null && head.HasToken("Connection", "upgrade"));
        var capture = new PendingCapture(_inspector.Store.NextSequence(), head.Method, _clientAddr, _inspector.BodyLimit)
        {
            // Until the answer says whether the switch happened.
            Upgraded = asksUpgrade,
        };
        capture.Request.SetHead(raw);
        var exchange = new ObservedExchange(capture)
        {
            AsksUpgrade = asksUpgrade,
            AsksClose = head.HasToken("Connection", "close"),
        };
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _requestHeads);
        lock (_lock)
        {
            _awaitingResponse.Enqueue(exchange);
        }

        return exchange;
    }

    // The exchange the next response answers: the oldest request not yet answered.
    private ObservedExchange? NextToAnswer()
    {
        if (_responding is null)
        {
            lock (_lock)
            {
                _awaitingResponse.TryDequeue(out _responding);
            }
        }

        return _responding;
    }

    private void Respond(Http1Head head, ReadOnlySpan<byte> raw)
    {
        if (NextToAnswer() is not { } exchange)
        {
            StopObserving($"a {head.StatusCode} response to no request seen");
            return;
        }

        if (head.IsInterim && head.StatusCode != 101)
        {
            return;
        }

        exchange.Persists = ConnectionPersistence.Persists(exchange.AsksClose, head);
        PendingCapture capture = exchange.Capture;
        capture.HeadersAfter = Stopwatch.GetElapsedTime(capture.Started);
        capture.StatusCode = head.StatusCode;
        capture.Response.SetHead(raw);
        if (exchange.AsksUpgrade)
        {
            bool accepted = head.StatusCode == 101 || (capture.Method == "CONNECT" && head.StatusCode is >= 200 and < 300);
            capture.Upgraded = accepted;
            _requests.ResolveUpgrade(accepted);
        }
    }

    private void EndResponse()
    {
        if (_responding is not { } exchange)
        {
            return;
        }

        _responding = null;
        _lastPersists = exchange.Persists;
        Interlocked.Decrement(ref _open);
        Interlocked.Increment(ref _responsesEnded);
        exchange.Capture.Duration = Stopwatch.GetElapsedTime(exchange.Capture.Started);
        if (exchange.EndHalf())
        {
            Record(exchange);
        }
    }

    private void EndRequest()
    {
        if (_requesting is not { } exchange)
        {
            return;
        }

        _requesting = null;
        if (exchange.EndHalf())
        {
            Record(exchange);
        }
    }

    private void RecordUnfinished(ObservedExchange exchange)
    {
        PendingCapture capture = exchange.Capture;
        if (!capture.Response.HasHead)
        {
            capture.Duration = Stopwatch.GetElapsedTime(capture.Started);
            if (_stoppedBecause is { } reason)
            {
                capture.Error = $"Burrow stopped following this connection: {reason}";
            }
            else if (_upstreamEnded)
            {
                // What the edge answers the client in this case, and the code its page shows.
                capture.Error = ErrorCodes.UpstreamBadResponse.ToError(_tunnel.Display, "the connection ended before a response").ToString();
                capture.StatusCode = ErrorCodes.UpstreamBadResponse.HttpStatus ?? 502;
            }
            else
            {
                capture.Error = "the client went away before a response";
            }
        }

        Record(exchange);
    }

    private void Record(ObservedExchange exchange)
    {
        if (exchange.TakeRecording())
        {
            _inspector.Record(exchange.Capture, _tunnel);
        }
    }

    // The request direction's parser calls these, on the request direction's thread.
    private sealed class RequestHalf(HttpExchangeObserver observer) : IHttp1MessageSink
    {
        public string? RequestMethod => null;

        public void OnHead(Http1Head head, ReadOnlySpan<byte> raw) => observer._requesting = observer.Begin(head, raw);

        public void OnBody(ReadOnlySpan<byte> data) => observer._requesting?.Capture.Request.AppendBody(data);

        public void OnTrailers(ReadOnlySpan<byte> trailers) => observer._requesting?.Capture.Request.SetTrailers(trailers);

        public void OnMessageEnd() => observer.EndRequest();
    }

    // The response direction's parser calls these, on the response direction's thread.
    private sealed class ResponseHalf(HttpExchangeObserver observer) : IHttp1MessageSink
    {
        public string? RequestMethod => observer.NextToAnswer()?.Capture.Method;

        public void OnHead(Http1Head head, ReadOnlySpan<byte> raw) => observer.Respond(head, raw);

        public void OnBody(ReadOnlySpan<byte> data) => observer._responding?.Capture.Response.AppendBody(data);

        public void OnTrailers(ReadOnlySpan<byte> trailers) => observer._responding?.Capture.Response.SetTrailers(trailers);

        public void OnMessageEnd() => observer.EndResponse();
    }
}
