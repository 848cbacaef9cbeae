using System.Text;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Tests.Messages;

public sealed class TunnelStatsMessageTests
{
    [Fact]
    public void TunnelStats_serializes_to_the_documented_bytes()
    {
        var stats = new TunnelStatsMessage
        {
            TunnelId = "tun_01", ConnsOpened = 6, ConnsClosed = 5, Requests = 30,
            ConnDurationsUs = [412_035, 388_190], RequestDurationsUs = [3_120, 2_480, 5_310],
        };

        byte[] frame = ControlMessageSerializer.SerializeToFrame(stats);

        Assert.Equal(
            """{"type":"tunnel_stats","tunnel_id":"tun_01","conns_opened":6,"conns_closed":5,"requests":30,"conn_durations_us":[412035,388190],"request_durations_us":[3120,2480,5310]}""",
            Encoding.UTF8.GetString(frame.AsSpan(4)));
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0xa8 }, frame[..4]);
    }

    [Fact]
    public void TunnelStats_round_trips_with_every_field()
    {
        var stats = new TunnelStatsMessage
        {
            TunnelId = "tun_01", ConnsOpened = long.MaxValue, ConnsClosed = 5, Requests = 30,
            ConnDurationsUs = [0, 412], RequestDurationsUs = [7],
        };

        var parsed = (TunnelStatsMessage)ControlMessageSerializer.Deserialize(ControlMessageSerializer.SerializeToUtf8Bytes(stats));

        Assert.Equal("tun_01", parsed.TunnelId);
        Assert.Equal(long.MaxValue, parsed.ConnsOpened);
        Assert.Equal(5, parsed.ConnsClosed);
        Assert.Equal(30, parsed.Requests);
        Assert.Equal([0L, 412L], parsed.ConnDurationsUs);
        Assert.Equal([7L], parsed.RequestDurationsUs);
    }

    [Fact]
    public void TunnelStats_leaves_out_empty_duration_lists_and_reads_missing_ones_as_empty()
    {
        var stats = new TunnelStatsMessage { TunnelId = "tun_01", ConnsOpened = 1 };

        string json = ControlMessageSerializer.SerializeToJson(stats);
        var parsed = (TunnelStatsMessage)ControlMessageSerializer.Deserialize(
            """{"type":"tunnel_stats","tunnel_id":"tun_02","conn_durations_us":null}"""u8);

        Assert.Equal("""{"type":"tunnel_stats","tunnel_id":"tun_01","conns_opened":1,"conns_closed":0,"requests":0}""", json);
        Assert.Empty(parsed.ConnDurationsUs);
        Assert.Empty(parsed.RequestDurationsUs);
        Assert.Equal(0, parsed.Requests);
    }

    [Fact]
    public void TunnelStats_without_a_tunnel_id_throws_4001()
    {
        var ex = Assert.Throws<ProtocolException>(() => ControlMessageSerializer.Deserialize("""{"type":"tunnel_stats","requests":1}"""u8));

        Assert.Same(ErrorCodes.MalformedMessage, ex.ErrorCode);
    }

    [Fact]
    public void Auth_features_round_trip_and_are_left_out_when_empty()
    {
        var auth = new AuthMessage { ProtocolVersion = 1, Authtoken = "brw_x", Features = [ProtocolFeatures.TunnelStats] };

        string withFeatures = ControlMessageSerializer.SerializeToJson(auth);
        string without = ControlMessageSerializer.SerializeToJson(auth with { Features = [] });
        var parsed = (AuthMessage)ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(withFeatures));

        Assert.EndsWith(""","features":["tunnel_stats"]}""", withFeatures, StringComparison.Ordinal);
        Assert.DoesNotContain("features", without, StringComparison.Ordinal);
        Assert.True(ProtocolFeatures.Has(parsed.Features, ProtocolFeatures.TunnelStats));
    }

    [Fact]
    public void Features_missing_or_unknown_mean_the_feature_is_off()
    {
        var old = (AuthResultMessage)ControlMessageSerializer.Deserialize(
            """{"type":"auth_result","session_id":"ses_1","heartbeat_interval_ms":1,"heartbeat_timeout_ms":1,"resume_grace_ms":1}"""u8);
        var other = (AuthMessage)ControlMessageSerializer.Deserialize(
            """{"type":"auth","protocol_version":1,"features":["something_later","Tunnel_Stats"]}"""u8);

        Assert.False(ProtocolFeatures.Has(old.Features, ProtocolFeatures.TunnelStats));
        Assert.False(ProtocolFeatures.Has(other.Features, ProtocolFeatures.TunnelStats));
    }
}
