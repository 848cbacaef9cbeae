using System.Text;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Protocol.Tests.Messages;

public sealed class MessageSerializationTests
{
    [Fact]
    public void Examples_cover_every_message_type()
    {
        Assert.Equal(
            MessageTypes.All.Order(StringComparer.Ordinal),
            ExampleMessages.All.Select(m => m.Type).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ExampleMessages.AllTypes), MemberType = typeof(ExampleMessages))]
    public void Every_message_type_round_trips(string type)
    {
        ControlMessage original = ExampleMessages.OfType(type);
        string json = ControlMessageSerializer.SerializeToJson(original);

        ControlMessage parsed = ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json));

        Assert.IsType(original.GetType(), parsed);
        Assert.Equal(type, parsed.Type);
        Assert.Equal(json, ControlMessageSerializer.SerializeToJson(parsed));
        Assert.StartsWith($$"""{"type":"{{type}}",""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Auth_serializes_to_the_documented_json()
    {
        var auth = new AuthMessage
        {
            ProtocolVersion = 1,
            Authtoken = "brw_4f9c2e1d8a7b",
            Agent = new AgentInfo { Name = "burrow", Version = "0.1.0", Os = "linux" },
        };

        byte[] frame = ControlMessageSerializer.SerializeToFrame(auth);

        Assert.Equal(
            """{"type":"auth","protocol_version":1,"authtoken":"brw_4f9c2e1d8a7b","agent":{"name":"burrow","version":"0.1.0","os":"linux"}}""",
            Encoding.UTF8.GetString(frame.AsSpan(4)));
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x7c }, frame[..4]);
    }

    [Fact]
    public void An_error_that_time_lifts_carries_retry_after_s_and_others_leave_it_out()
    {
        var limited = new AuthResultMessage { Error = new ProtocolError { Code = "ERR_BURROW_5010", Message = "Too many.", RetryAfterSeconds = 57 } };
        string json = Encoding.UTF8.GetString(ControlMessageSerializer.SerializeToFrame(limited).AsSpan(4));
        Assert.Contains("""
            "error":{"code":"ERR_BURROW_5010","message":"Too many.","retry_after_s":57}
            """, json, StringComparison.Ordinal);
        Assert.Equal(57, ((AuthResultMessage)ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json))).Error!.RetryAfterSeconds);

        string plain = Encoding.UTF8.GetString(ControlMessageSerializer.SerializeToFrame(new AuthResultMessage { Error = ErrorCodes.InvalidAuthtoken.ToError() }).AsSpan(4));
        Assert.DoesNotContain("retry_after", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_fields_round_trip_with_values()
    {
        var bind = (BindMessage)ExampleMessages.OfType(MessageTypes.Bind);

        var parsed = (BindMessage)ControlMessageSerializer.Deserialize(ControlMessageSerializer.SerializeToUtf8Bytes(bind));

        Assert.Equal(bind.RequestId, parsed.RequestId);
        Assert.Equal(bind.RemotePort, parsed.RemotePort);
        Assert.Equal(bind.Options.CidrAllow, parsed.Options.CidrAllow);
        Assert.Equal(bind.Options.ResponseHeaderAdd, parsed.Options.ResponseHeaderAdd);
        Assert.Equal("http2", parsed.Options.UpstreamProtocol);
        Assert.False(parsed.Options.Inspect);
    }

    [Fact]
    public void Unknown_fields_are_ignored_at_every_level()
    {
        string json = """
            {"type":"bind","request_id":"1","future":{"nested":[1,2,{"x":null}]},"proto":"tcp",
             "options":{"inspect":false,"brand_new_rule":["a"]},"remote_port":20001,"z":true}
            """;

        var bind = Assert.IsType<BindMessage>(ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("1", bind.RequestId);
        Assert.Equal(20001, bind.RemotePort);
        Assert.False(bind.Options.Inspect);
    }

    [Fact]
    public void Type_may_come_after_other_fields()
    {
        string json = """{"tunnel_id":"tun_9","type":"unbind"}""";

        var unbind = Assert.IsType<UnbindMessage>(ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("tun_9", unbind.TunnelId);
    }

    [Fact]
    public void Missing_or_null_lists_read_as_empty()
    {
        string json = """{"type":"bind","request_id":"1","proto":"http","options":{"basic_auth":null}}""";

        var bind = (BindMessage)ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json));

        Assert.Empty(bind.Options.BasicAuth);
        Assert.Empty(bind.Options.CidrDeny);
        Assert.True(bind.Options.Inspect);
    }

    [Theory]
    [InlineData("""{"type":"auth","protocol_version":1}""")]
    [InlineData("""{"type":"auth","protocol_version":1,"authtoken":null,"agent":null}""")]
    [InlineData("""{"type":"auth","protocol_version":1,"agent":{"name":null}}""")]
    public void Missing_or_null_optional_fields_take_their_defaults(string json)
    {
        var auth = (AuthMessage)ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json));

        Assert.Equal("", auth.Authtoken);
        Assert.Equal("", auth.Agent.Name);
        Assert.Equal("", auth.Agent.Os);
        Assert.Null(auth.ResumeSessionId);
    }

    [Fact]
    public void Missing_options_and_strings_of_a_bind_take_their_defaults()
    {
        var bind = (BindMessage)ControlMessageSerializer.Deserialize("""{"type":"bind","request_id":"1","proto":"tcp"}"""u8);

        Assert.Equal("", bind.TunnelName);
        Assert.True(bind.Options.Inspect);
        Assert.Empty(bind.Options.RequestHeaderAdd);
    }

    [Fact]
    public void Empty_lists_and_nulls_are_left_out_when_writing()
    {
        var bind = new BindMessage { RequestId = "1", Proto = "http" };

        Assert.Equal(
            """{"type":"bind","request_id":"1","tunnel_name":"","proto":"http","options":{"inspect":true}}""",
            ControlMessageSerializer.SerializeToJson(bind));
    }

    [Fact]
    public void Text_is_written_without_needless_escapes()
    {
        var notice = new NoticeMessage { Kind = "quota", Message = "Über <50%> & 'plus' + \"q\"\n" };

        string json = ControlMessageSerializer.SerializeToJson(notice);

        Assert.Contains("""Über <50%> & 'plus' + \"q\"\n""", json, StringComparison.Ordinal);
        Assert.Equal(notice, ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""{"type":"bind","proto":"http"}""")] // request_id is required
    [InlineData("""{"type":"unbind","tunnel_id":null}""")] // null where the record allows none
    [InlineData("""{"type":"unbind","tunnel_id":7}""")] // wrong JSON type
    [InlineData("""{"type":"auth","authtoken":"x"}""")] // protocol_version is required
    [InlineData("""{"type":"unbind","tunnel_id":"a","tunnel_id":"b"}""")] // duplicate field
    [InlineData("""{"type":"bind","request_id":"1","proto":"http","options":[]}""")]
    [InlineData("""{"type":"unbind","tunnel_id":"a"} trailing""")]
    public void Message_that_does_not_fit_its_shape_throws_4001(string json)
    {
        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
        Assert.StartsWith("Malformed message: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"auth\"")]
    [InlineData("{}")]
    [InlineData("""{"tunnel_id":"a"}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":1}""")]
    [InlineData("""{"type":"auth",""")]
    [InlineData("")]
    public void Not_an_object_with_a_string_type_throws_4001(string json)
    {
        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
    }

    [Fact]
    public void Invalid_utf8_throws_4001()
    {
        byte[] json = [.. """{"type":"auth","authtoken":" """u8, 0xff, 0xfe, .. "\"}"u8];

        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize(json));

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("AUTH")]
    [InlineData("")]
    public void Unknown_type_throws_4003(string type)
    {
        string json = $$"""{"type":"{{type}}","x":1}""";

        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.Same(ErrorCodes.UnexpectedMessage, ex.ErrorCode);
        Assert.Contains($"\"{type}\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_type_is_echoed_short_and_without_control_characters()
    {
        string json = $$"""{"type":"evil\r\nINFO forged{{new string('x', 200)}}"}""";

        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json)));

        Assert.DoesNotContain('\n', ex.Message);
        Assert.True(ex.Message.Length < 120, ex.Message);
    }

    [Fact]
    public void Auth_ToString_does_not_show_the_token()
    {
        string text = ExampleMessages.Auth.ToString();

        Assert.DoesNotContain(ExampleMessages.Auth.Authtoken, text, StringComparison.Ordinal);
        Assert.Contains("<redacted>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Protocol_exception_turns_into_the_wire_error()
    {
        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize("{}"u8));

        ProtocolError error = ex.ToProtocolError();

        Assert.Equal("ERR_BURROW_4001", error.Code);
        Assert.Equal(ex.Message, error.Message);
        Assert.Same(ErrorCodes.MalformedMessage, error.Lookup());
    }
}
