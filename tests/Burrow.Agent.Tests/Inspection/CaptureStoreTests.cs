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
            store.Add(Exchange(store.NextId(), $"/item/{i}", new byte[4000]));
            Assert.True(store.Bytes <= store.BudgetBytes, $"{store.Bytes} bytes after {i + 1} adds");
        }

        List<CapturedExchange> kept = store.List(int.MaxValue, null);
        Assert.InRange(kept.Count, 10, 60);
        Assert.Equal("/item/999", kept[0].Uri);
        Assert.Equal(kept.Count, store.Count);
        Assert.Null(store.Get("no-such-id"));
        Assert.Same(kept[^1], store.Get(kept[^1].Id));
    }

    [Fact]
    public void List_is_newest_first_filtered_by_tunnel_and_limited()
    {
        var store = new CaptureStore(1_000_000);
        store.Add(Exchange(store.NextId(), "/a", [], "one"));
        store.Add(Exchange(store.NextId(), "/b", [], "two"));
        store.Add(Exchange(store.NextId(), "/c", [], "one"));

        Assert.Equal(["/c", "/a"], store.List(10, "one").Select(e => e.Uri));
        Assert.Equal(["/c", "/b"], store.List(2, null).Select(e => e.Uri));
    }

    [Fact]
    public void Clear_forgets_everything_and_tells_listeners()
    {
        var store = new CaptureStore(1_000_000);
        int added = 0, cleared = 0;
        store.Added += _ => added++;
        store.Cleared += () => cleared++;
        store.Add(Exchange(store.NextId(), "/a", [1, 2, 3]));
        store.Clear();

        Assert.Equal((1, 1), (added, cleared));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void Ids_are_16_hex_digits_and_unique()
    {
        var store = new CaptureStore(1);
        string[] ids = [.. Enumerable.Range(0, 100).Select(_ => store.NextId())];
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Body_capture_keeps_a_prefix_and_counts_the_rest()
    {
        var capture = new BodyCapture(limit: 10);
        capture.Append("hello "u8);
        capture.Append("world, this is long"u8);
        capture.Seal();

        Assert.Equal(25, capture.Length);
        Assert.True(capture.Truncated);
        Assert.Equal("hello worl"u8.ToArray(), capture.Kept.ToArray());
        Assert.Equal(10, capture.Footprint);

        var small = BodyCapture.From("abc"u8.ToArray(), 10);
        Assert.False(small.Truncated);
    }

    internal static CapturedExchange Exchange(string id, string uri, byte[] body, string tunnel = "t", IReadOnlyList<KeyValuePair<string, string>>? headers = null) => new()
    {
        Id = id,
        TunnelName = tunnel,
        RemoteAddr = "127.0.0.1",
        Start = DateTimeOffset.UnixEpoch,
        Method = "POST",
        Uri = uri,
        Request = new CapturedMessage("HTTP/1.1", headers ?? [new("Host", "x.localhost")], BodyCapture.From(body, 1 << 20)),
    };
}
