using System.IO.Compression;
using System.Text;
using Burrow.Agent.Inspection;
using Burrow.Agent.Web;

namespace Burrow.Agent.Tests.Web;

public sealed class BodyViewTests
{
    [Fact]
    public void Json_is_pretty_printed()
    {
        var view = BodyView.Describe(Message("{\"a\":1,\"b\":[true,null]}", "application/json"));
        Assert.Equal("json", (string?)view["kind"]);
        Assert.Equal("{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}", (string?)view["text"]);
    }

    [Fact]
    public void Form_is_one_decoded_field_per_line()
    {
        var view = BodyView.Describe(Message("name=Ada+Lovelace&lang=en%2Fgb", "application/x-www-form-urlencoded"));
        Assert.Equal("form", (string?)view["kind"]);
        Assert.Equal("name = Ada Lovelace\nlang = en/gb\n", (string?)view["text"]);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public void Compressed_bodies_are_decoded(string encoding)
    {
        byte[] plain = Encoding.UTF8.GetBytes("{\"compressed\":true}");
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            compressor.Write(plain);
        }

        var message = new CapturedMessage("HTTP/1.1", [new("Content-Type", "application/json"), new("Content-Encoding", encoding)], BodyCapture.From(output.ToArray(), 1 << 20));
        var view = BodyView.Describe(message);
        Assert.Equal("json", (string?)view["kind"]);
        Assert.Equal(encoding, (string?)view["content_encoding"]);
        Assert.Equal("{\n  \"compressed\": true\n}", (string?)view["text"]);
    }

    [Fact]
    public void Binary_is_a_hex_dump_with_its_size()
    {
        byte[] bytes = [0x89, 0x50, 0x4e, 0x47, 0x00, 0x01];
        var view = BodyView.Describe(new CapturedMessage("HTTP/1.1", [new("Content-Type", "image/png")], BodyCapture.From(bytes, 100)));
        Assert.Equal("binary", (string?)view["kind"]);
        Assert.Equal(6, (long)view["size"]!);
        Assert.StartsWith("00000000  89 50 4e 47 00 01", (string?)view["text"], StringComparison.Ordinal);
    }

    [Fact]
    public void Text_is_shown_and_a_cut_body_is_marked()
    {
        var view = BodyView.Describe(new CapturedMessage("HTTP/1.1", [new("Content-Type", "text/plain")], BodyCapture.From(Encoding.UTF8.GetBytes("hello world"), 5)));
        Assert.Equal("text", (string?)view["kind"]);
        Assert.Equal("hello", (string?)view["text"]);
        Assert.True((bool)view["truncated"]!);
    }

    private static CapturedMessage Message(string body, string contentType) =>
        new("HTTP/1.1", [new("Content-Type", contentType)], BodyCapture.From(Encoding.UTF8.GetBytes(body), 1 << 20));
}
