using System.Text.Json.Nodes;
using Burrow.Agent.Tests.Inspection;
using Burrow.Agent.Web;

namespace Burrow.Agent.Tests.Web;

public sealed class HarExportTests
{
    [Fact]
    public void Har_has_the_1_2_shape_with_url_query_and_post_data()
    {
        var exchange = CaptureStoreTests.Exchange("0000000000000001", "/pay?amount=5&cur=EUR", "{\"x\":1}"u8.ToArray(),
            headers: [new("Host", "demo.example.com"), new("Content-Type", "application/json")], status: 201, reason: "Created", duration: TimeSpan.FromMilliseconds(12));

        JsonObject har = HarExport.Build([exchange]);
        JsonNode log = har["log"]!;
        Assert.Equal("1.2", (string?)log["version"]);
        Assert.Equal("burrow", (string?)log["creator"]!["name"]);
        JsonNode entry = log["entries"]![0]!;
        Assert.Equal("https://demo.example.com/pay?amount=5&cur=EUR", (string?)entry["request"]!["url"]);
        Assert.Equal("amount", (string?)entry["request"]!["queryString"]![0]!["name"]);
        Assert.Equal("{\"x\":1}", (string?)entry["request"]!["postData"]!["text"]);
        Assert.Equal(201, (int)entry["response"]!["status"]!);
        Assert.Equal(12d, (double)entry["time"]!);
    }
}
