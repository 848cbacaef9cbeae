using System.Text;
using Burrow.Agent.Inspection;

namespace Burrow.Agent.Tests.Inspection;

public sealed class CaptureStoreTests
{
    [Fact]
    public void Store_stays_within_its_budget_by_dropping_the_oldest()
    {
        var store = new CaptureStore(budgetBytes: 200_000);
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(store.Add(Capture(store, $"/item/{i}", new byte[4000]), "t"));
            Assert.True(store.Bytes <= store.BudgetBytes, $"{store.Bytes} bytes after {i + 1} adds");
        }

        List<CapturedExchange> kept = store.List(int.MaxValue, null);
        // About 200,000 / 4,200: the oldest go one by one, not a block at a time.
        Assert.InRange(kept.Count, 44, 48);
        Assert.InRange(store.Bytes, store.BudgetBytes - 4300, store.BudgetBytes);
        Assert.Equal("/item/999", kept[0].Uri);
        Assert.Equal($"/item/{1000 - kept.Count}", kept[^1].Uri);
        Assert.Equal(kept.Count, store.Count);
        Assert.Null(store.Get("no-such-id"));
        Assert.Equal(kept[^1].Uri, store.Get(kept[^1].Id)?.Uri);
    }

    [Fact]
    public void Memory_is_taken_a_block_at_a_time_as_the_store_fills_and_never_past_the_budget()
    {
        var store = new CaptureStore(budgetBytes: 4L * 1024 * 1024);
        Assert.Equal(0, store.AllocatedBytes);
        store.Add(Capture(store, "/a", []), "t");
        Assert.Equal(CaptureArena.DefaultBlockSize, store.AllocatedBytes);

        for (int i = 0; i < 3000; i++)
        {
            store.Add(Capture(store, $"/{i}", new byte[3000]), "t");
        }

        Assert.Equal(store.BudgetBytes, store.AllocatedBytes);
        store.Clear();
        Assert.Equal(0, store.AllocatedBytes);
    }

    [Fact]
    public void Records_read_back_intact_wherever_they_lie_across_block_boundaries_and_the_wrap()
    {
        // Five blocks and a spare, sizes chosen so records straddle blocks and the circle's end again and again.
        var store = new CaptureStore(budgetBytes: (5 * CaptureArena.DefaultBlockSize) + 1000);
        var random = new Random(17);
        var sent = new Dictionary<string, byte[]>();
        for (int i = 0; i < 2000; i++)
        {
            byte[] body = new byte[random.Next(0, 20_000)];
            random.NextBytes(body);
            PendingCapture capture = Capture(store, $"/r/{i}", body);
            Assert.True(store.Add(capture, "t"));
            sent[store.IdOf(capture.Sequence)] = body;
        }

        List<CapturedExchange> kept = store.List(int.MaxValue, null);
        Assert.True(kept.Count > 100, $"{kept.Count} kept");
        Assert.All(kept, e => Assert.Equal(sent[e.Id], e.Request.Body.Kept.ToArray()));
    }

    [Fact]
    public void Every_field_comes_back_as_it_went_in()
    {
        var store = new CaptureStore(1_000_000);
        var capture = new PendingCapture(store.NextSequence(), "POST", "10.0.0.9:5555", bodyLimit: 5)
        {
            StatusCode = 201,
            Duration = TimeSpan.FromMilliseconds(12.5),
            HeadersAfter = TimeSpan.FromMilliseconds(3),
            Upgraded = false,
            ReplayOf = 7,
        };
        capture.Request.SetHead("POST /pay?x=1 HTTP/1.1\r\nHost: a.localhost\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8\r\nAccept: a\r\naccept: b\r\nTransfer-Encoding: chunked\r\n\r\n"u8);
        capture.Request.AppendBody("hello "u8);
        capture.Request.AppendBody("world"u8);
        capture.Request.SetTrailers("Checksum: abc\r\n\r\n"u8);
        capture.Response.SetHead("HTTP/1.1 201 Created Just Now\r\nContent-Length: 2\r\n\r\n"u8);
        capture.Response.AppendBody("ok"u8);
        store.Add(capture, "pay");

        CapturedExchange e = store.Get(store.IdOf(capture.Sequence))!;
        Assert.Equal(("POST", "/pay?x=1", "HTTP/1.1", "pay"), (e.Method, e.Uri, e.Request.Proto, e.TunnelName));
        Assert.Equal("5.6.7.8", e.RemoteAddr);
        Assert.Equal(["Host", "X-Forwarded-For", "Accept", "accept", "Transfer-Encoding"], e.Request.Headers.Select(h => h.Key));
        Assert.Equal("hello", Encoding.ASCII.GetString(e.Request.Body.Kept.Span));
        Assert.Equal((11L, true), (e.Request.Body.Length, e.Request.Body.Truncated));
        Assert.Equal([new("Checksum", "abc")], e.Request.Trailers);
        Assert.StartsWith("POST /pay?x=1 HTTP/1.1\r\n", Encoding.ASCII.GetString(e.Request.RawHead.Span));
        Assert.Equal((201, "Created Just Now", "HTTP/1.1"), (e.StatusCode, e.ReasonPhrase, e.Response!.Proto));
        Assert.Equal("ok", Encoding.ASCII.GetString(e.Response.Body.Kept.Span));
        Assert.Equal((TimeSpan.FromMilliseconds(12.5), TimeSpan.FromMilliseconds(3)), (e.Duration, e.HeadersAfter));
        Assert.Equal((true, store.IdOf(7), (string?)null), (e.Replay, e.ReplayOf, e.Error));
        Assert.Equal(capture.Start, e.Start);
    }

    [Fact]
    public void An_exchange_without_a_response_keeps_its_error_and_the_stream_address()
    {
        var store = new CaptureStore(1_000_000);
        PendingCapture capture = Capture(store, "/slow", []);
        capture.Error = "the client went away before a response";
        store.Add(capture, "t");

        CapturedExchange e = store.List(1, null)[0];
        Assert.Null(e.Response);
        Assert.Equal("the client went away before a response", e.Error);
        Assert.Equal("127.0.0.1", e.RemoteAddr);
        Assert.False(e.Replay);
    }

    [Fact]
    public void A_record_larger_than_the_whole_budget_is_dropped_and_counted()
    {
        var store = new CaptureStore(budgetBytes: 10_000);
        Assert.False(store.Add(Capture(store, "/big", new byte[20_000], bodyLimit: 1 << 20), "t"));
        Assert.True(store.Add(Capture(store, "/small", new byte[100]), "t"));
        Assert.Equal((1L, 1), (store.Dropped, store.Count));
    }

    [Fact]
    public void List_is_newest_first_filtered_by_tunnel_and_limited()
    {
        var store = new CaptureStore(1_000_000);
        store.Add(Capture(store, "/a", []), "one");
        store.Add(Capture(store, "/b", []), "two");
        store.Add(Capture(store, "/c", []), "one");

        Assert.Equal(["/c", "/a"], store.List(10, "one").Select(e => e.Uri));
        Assert.Equal(["/c", "/b"], store.List(2, null).Select(e => e.Uri));
        Assert.Empty(store.List(10, "three"));
    }

    [Fact]
    public void Clear_forgets_everything_and_tells_listeners()
    {
        var store = new CaptureStore(1_000_000);
        var added = new List<string>();
        int cleared = 0;
        store.Added += e => added.Add(e.Uri);
        store.Cleared += () => cleared++;
        store.Add(Capture(store, "/a", [1, 2, 3]), "t");
        store.Clear();

        Assert.Equal(["/a"], added);
        Assert.Equal(1, cleared);
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
        Assert.Empty(store.List(10, null));
    }

    [Fact]
    public void Ids_are_16_hex_digits_unique_and_parse_back()
    {
        var store = new CaptureStore(1);
        string[] ids = [.. Enumerable.Range(0, 100).Select(_ => store.IdOf(store.NextSequence()))];
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.True(store.TryParseId(ids[41], out long sequence));
        Assert.Equal(42, sequence);
        Assert.False(store.TryParseId("0123456789abcdef", out _));
    }

    [Fact]
    public void Body_capture_keeps_a_prefix_and_counts_the_rest()
    {
        var capture = new MessageCapture(bodyLimit: 10);
        capture.AppendBody("hello "u8);
        capture.AppendBody("world, this is long"u8);

        Assert.Equal(25, capture.BodyLength);
        Assert.Equal("hello worl"u8.ToArray(), capture.Body.ToArray());
        capture.Release();
        Assert.Equal(0, capture.Body.Length);

        Assert.False(BodyCapture.From("abc"u8.ToArray(), 10).Truncated);
        Assert.True(BodyCapture.From("abcdef"u8.ToArray(), 3).Truncated);
    }

    internal static PendingCapture Capture(CaptureStore store, string uri, byte[] body, int bodyLimit = 1 << 16)
    {
        var capture = new PendingCapture(store.NextSequence(), "POST", "127.0.0.1:40000", bodyLimit) { StatusCode = 200 };
        capture.Request.SetHead(Encoding.ASCII.GetBytes($"POST {uri} HTTP/1.1\r\nHost: x.localhost\r\nContent-Length: {body.Length}\r\n\r\n"));
        capture.Request.AppendBody(body);
        return capture;
    }

    internal static CapturedExchange Exchange(
        string id, string uri, byte[] body, string tunnel = "t", IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        int status = 0, string reason = "", TimeSpan duration = default) => new()
    {
        Id = id,
        TunnelName = tunnel,
        RemoteAddr = "127.0.0.1",
        Start = DateTimeOffset.UnixEpoch,
        Method = "POST",
        Uri = uri,
        Request = new CapturedMessage("HTTP/1.1", headers ?? [new("Host", "x.localhost")], BodyCapture.From(body, 1 << 20)),
        StatusCode = status,
        ReasonPhrase = reason,
        Duration = duration,
    };
}
