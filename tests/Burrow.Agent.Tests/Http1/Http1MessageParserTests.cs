using System.Text;
using Burrow.Agent.Http1;

namespace Burrow.Agent.Tests.Http1;

public sealed class Http1MessageParserTests
{
    private const string ChunkedRequest =
        "POST /upload?x=1 HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;name=value;other=\"quoted\"\r\nhello\r\n" +
        "7\r\n, world\r\n" +
        "0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";

    [Fact]
    public void Content_length_request_reads_the_same_split_at_every_byte()
    {
        const string wire = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world";
        string[] expected = ["head POST /a HTTP/1.1 [Host=h; Content-Length=11]", "body hello world", "end"];

        AssertEverySplit(Http1MessageKind.Request, wire, expected);
    }

    [Fact]
    public void Chunked_body_is_decoded_extensions_skipped_and_trailers_kept_at_every_split()
    {
        string[] expected =
        [
            "head POST /upload?x=1 HTTP/1.1 [Host=a.example; Transfer-Encoding=chunked]",
            "body hello, world",
            "trailers [X-Checksum=abc; X-Other=1]",
            "end",
        ];

        AssertEverySplit(Http1MessageKind.Request, ChunkedRequest, expected);
    }

    [Fact]
    public void Chunked_body_read_one_byte_at_a_time()
    {
        var sink = new RecordingSink();
        var parser = new Http1MessageParser(Http1MessageKind.Request, sink);

        foreach (byte b in Encoding.Latin1.GetBytes(ChunkedRequest + "GET /next HTTP/1.1\r\n\r\n"))
        {
            Assert.True(parser.Feed([b]));
        }

        Assert.Equal("body hello, world", sink.Finish()[1]);
        Assert.Equal("head GET /next HTTP/1.1 []", sink.Events[^2]);
        Assert.True(parser.BetweenMessages);
    }

    [Fact]
    public void Pipelined_requests_in_one_read_are_each_a_message()
    {
        const string wire =
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n" +
            "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
            "DELETE /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        string[] expected =
        [
            "head GET /1 HTTP/1.1 [Host=h]", "end",
            "head POST /2 HTTP/1.1 [Content-Length=3]", "body abc", "end",
            "head DELETE /3 HTTP/1.1 [Transfer-Encoding=chunked]", "end",
        ];

        AssertEverySplit(Http1MessageKind.Request, wire, expected);
    }

    [Fact]
    public void Folded_header_line_stops_the_parser_with_the_reason()
    {
        var sink = new RecordingSink();
        var parser = new Http1MessageParser(Http1MessageKind.Request, sink);

        bool going = parser.Feed("GET / HTTP/1.1\r\nX-Long: one\r\n two\r\n\r\n"u8);

        Assert.False(going);
        Assert.True(parser.Stopped);
        Assert.Contains("obs-fold", parser.Error, StringComparison.Ordinal);
        Assert.Empty(sink.Finish());
        Assert.False(parser.Feed("GET / HTTP/1.1\r\n\r\n"u8));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nName : v\r\n\r\n", "whitespace in a header name")]
    [InlineData("GET / HTTP/1.1\r\nno colon here\r\n\r\n", "without a name and a colon")]
    [InlineData("GET /\r\n\r\n", "not 'method target version'")]
    [InlineData("GET / HTTP/2.0\r\n\r\n", "not HTTP/1.x")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length")]
    [InlineData("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "does not end in chunked")]
    [InlineData("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not hexadecimal")]
    [InlineData("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size")]
    public void Violations_stop_the_parser_and_say_why(string wire, string reason)
    {
        var parser = new Http1MessageParser(Http1MessageKind.Request, new RecordingSink());

        Assert.False(parser.Feed(Encoding.Latin1.GetBytes(wire)));
        Assert.Contains(reason, parser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_header_line_is_cut_at_the_limit_whether_it_arrives_whole_or_in_pieces()
    {
        var limits = new Http1Limits { MaxLineBytes = 32, MaxHeadBytes = 4096 };
        string value = new('v', 500);
        string wire = $"GET / HTTP/1.1\r\nX-Big: {value}\r\nX-After: ok\r\n\r\n";
        string cut = ("X-Big: " + value)[..32]["X-Big: ".Length..];

        foreach (int split in new[] { wire.Length, 20, 40, 300, wire.Length - 3 })
        {
            var sink = new RecordingSink();
            var parser = new Http1MessageParser(Http1MessageKind.Request, sink, limits);
            byte[] bytes = Encoding.Latin1.GetBytes(wire);
            Assert.True(parser.Feed(bytes.AsSpan(0, split)));
            Assert.True(parser.Feed(bytes.AsSpan(split)));

            Http1Head head = Assert.Single(sink.Heads);
            Assert.Equal(cut, head.Header("X-Big"));
            Assert.Equal("ok", head.Header("X-After"));
        }
    }

    [Fact]
    public void Head_past_the_head_limit_stops_the_parser_without_holding_more()
    {
        var limits = new Http1Limits { MaxLineBytes = 64, MaxHeadBytes = 1024 };
        var parser = new Http1MessageParser(Http1MessageKind.Request, new RecordingSink(), limits);
        Assert.True(parser.Feed("GET / HTTP/1.1\r\n"u8));

        bool going = true;
        for (int i = 0; i < 100 && going; i++)
        {
            going = parser.Feed(Encoding.Latin1.GetBytes($"X-Header-{i}: {new string('a', 40)}\r\n"));
        }

        Assert.False(going);
        Assert.Contains("larger than 1024 bytes", parser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Http10_response_without_length_is_delimited_by_the_close()
    {
        const string wire = "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\n<html>all of it</html>";
        var sink = new RecordingSink { RequestMethod = "GET" };
        var parser = new Http1MessageParser(Http1MessageKind.Response, sink);

        Assert.True(parser.Feed(Encoding.Latin1.GetBytes(wire)));
        Assert.DoesNotContain("end", sink.Events);
        parser.End();

        Assert.Equal(["head HTTP/1.0 200 OK [Server=SimpleHTTP/0.6]", "body <html>all of it</html>", "end"], sink.Finish());
    }

    [Fact]
    public void Response_with_a_non_chunked_transfer_coding_is_delimited_by_the_close()
    {
        var sink = new RecordingSink { RequestMethod = "GET" };
        var parser = new Http1MessageParser(Http1MessageKind.Response, sink);

        parser.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw"u8);
        parser.End();

        Assert.Equal("body raw", sink.Finish()[1]);
    }

    [Theory]
    [InlineData("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 204 No Content\r\nContent-Length: 1000\r\n\r\n")]
    [InlineData("GET", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void Head_204_and_304_responses_have_no_body_whatever_their_fields_say(string method, string wire)
    {
        var sink = new RecordingSink { RequestMethod = method };
        var parser = new Http1MessageParser(Http1MessageKind.Response, sink);

        parser.Feed(Encoding.Latin1.GetBytes(wire));
        // The next response answers a GET: its body is read as the body, not as part of the one before.
        sink.RequestMethod = "GET";
        parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8);

        List<string> events = sink.Finish();
        Assert.Equal("end", events[1]);
        Assert.Equal(["body ok", "end"], events[3..]);
    }

    [Fact]
    public void Interim_100_continue_is_reported_and_the_final_response_follows()
    {
        const string wire = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone";
        string[] expected =
        [
            "head HTTP/1.1 100 Continue []",
            "head HTTP/1.1 103 Early Hints [Link=</a.css>]",
            "head HTTP/1.1 201 Created [Content-Length=4]",
            "body done",
            "end",
        ];

        AssertEverySplit(Http1MessageKind.Response, wire, expected, requestMethod: "PUT");
    }

    [Fact]
    public void Switching_protocols_records_the_handshake_and_stops_without_an_error()
    {
        var sink = new RecordingSink { RequestMethod = "GET" };
        var parser = new Http1MessageParser(Http1MessageKind.Response, sink);

        bool going = parser.Feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello"u8);

        Assert.False(going);
        Assert.Null(parser.Error);
        Assert.Equal(["head HTTP/1.1 101 Switching Protocols [Upgrade=websocket; Connection=Upgrade]", "end"], sink.Finish());
    }

    [Fact]
    public void Request_after_a_refused_upgrade_is_parsed_and_after_an_accepted_one_is_not()
    {
        const string upgrade = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n";
        var refusedSink = new RecordingSink();
        var refused = new Http1MessageParser(Http1MessageKind.Request, refusedSink);
        refused.Feed(Encoding.Latin1.GetBytes(upgrade));
        refused.ResolveUpgrade(accepted: false);
        Assert.True(refused.Feed("GET /next HTTP/1.1\r\n\r\n"u8));
        Assert.Equal("head GET /next HTTP/1.1 []", refusedSink.Finish()[^2]);

        var acceptedSink = new RecordingSink();
        var accepted = new Http1MessageParser(Http1MessageKind.Request, acceptedSink);
        accepted.Feed(Encoding.Latin1.GetBytes(upgrade));
        accepted.ResolveUpgrade(accepted: true);
        Assert.False(accepted.Feed("\x81\x85maskedframe"u8));
        Assert.Null(accepted.Error);
        Assert.Equal(2, acceptedSink.Finish().Count);
    }

    [Fact]
    public void Connect_answered_2xx_stops_the_response_parser()
    {
        var sink = new RecordingSink { RequestMethod = "CONNECT" };
        var parser = new Http1MessageParser(Http1MessageKind.Response, sink);

        Assert.False(parser.Feed("HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01"u8));
        Assert.Null(parser.Error);
    }

    [Fact]
    public void Bare_line_feeds_and_leading_empty_lines_are_tolerated()
    {
        string[] expected = ["head GET /lf HTTP/1.0 [A=1]", "end", "head GET /two HTTP/1.1 []", "end"];

        AssertEverySplit(Http1MessageKind.Request, "\r\n\nGET /lf HTTP/1.0\nA: 1\n\n\r\nGET /two HTTP/1.1\r\n\r\n", expected);
    }

    [Fact]
    public void Chunked_response_split_at_every_byte_with_a_keep_alive_response_after_it()
    {
        const string wire =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n" +
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        string[] expected =
        [
            "head HTTP/1.1 200 OK [Transfer-Encoding=chunked]", "body abc0123456789abcdef", "end",
            "head HTTP/1.1 404 Not Found [Content-Length=0]", "end",
        ];

        AssertEverySplit(Http1MessageKind.Response, wire, expected, requestMethod: "GET");
    }

    [Fact]
    public void Framing_only_keeps_the_fields_that_frame_and_persist_and_frames_the_same()
    {
        const string wire =
            "POST /upload?secret=1 HTTP/1.1\r\nHost: h\r\ncontent-length: 5\r\nX-Big: " + "aaaaaaaaaa" + "\r\nCONNECTION: keep-alive\r\n\r\nhello" +
            "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: c=1\r\n\r\n";
        var sink = new RecordingSink();
        var parser = new Http1MessageParser(Http1MessageKind.Request, sink, Http1Limits.FramingOnly);

        Assert.True(parser.Feed(Encoding.Latin1.GetBytes(wire)), parser.Error);

        // Names come back canonical, values as sent; the target and every other field are left out.
        Assert.Equal(
            ["head POST  HTTP/1.1 [Content-Length=5; Connection=keep-alive]", "body hello", "end",
             "head GET  HTTP/1.1 [Upgrade=websocket; Connection=Upgrade]", "end"],
            sink.Events);
        Assert.Same("POST", sink.Heads[0].Method);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nX-Skipped : v\r\n\r\n", "whitespace in a header name")]
    [InlineData("GET / HTTP/1.1\r\nX-Skipped: a\r\n folded\r\n\r\n", "obs-fold")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting Content-Length")]
    public void Framing_only_still_checks_every_line(string wire, string reason)
    {
        var parser = new Http1MessageParser(Http1MessageKind.Request, new RecordingSink(), Http1Limits.FramingOnly);

        Assert.False(parser.Feed(Encoding.Latin1.GetBytes(wire)));
        Assert.Contains(reason, parser.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_raw_head_and_trailers_are_handed_over_as_they_went_by_at_every_split()
    {
        const string head = "\r\nPOST /a?b=c HTTP/1.1\r\nHost: h\r\nX-Long: " + "vvvvvvvvvv" + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        const string wire = head + "3\r\nabc\r\n0\r\nChecksum: 9\r\n\r\n" + "GET / HTTP/1.1\nHost: h\n\n";
        byte[] bytes = Encoding.Latin1.GetBytes(wire);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var sink = new RecordingSink();
            var parser = new Http1MessageParser(Http1MessageKind.Request, sink, Http1Limits.FramingOnly);
            Assert.True(parser.Feed(bytes.AsSpan(0, split)) && parser.Feed(bytes.AsSpan(split)), parser.Error);

            // The leading empty line is not part of the head; a bare-LF head comes as it was.
            Assert.Equal([head[2..], "GET / HTTP/1.1\nHost: h\n\n"], sink.RawHeads);
            Assert.Contains("trailers [Checksum=9]", sink.Finish());
        }
    }

    private static void AssertEverySplit(Http1MessageKind kind, string wire, string[] expected, string? requestMethod = null)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(wire);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var sink = new RecordingSink { RequestMethod = requestMethod };
            var parser = new Http1MessageParser(kind, sink);
            Assert.True(parser.Feed(bytes.AsSpan(0, split)), $"stopped in the first part at split {split}: {parser.Error}");
            Assert.True(parser.Feed(bytes.AsSpan(split)), $"stopped in the second part at split {split}: {parser.Error}");
            Assert.Equal(expected, sink.Finish());
            Assert.True(parser.BetweenMessages, $"split {split}");
        }
    }
}
