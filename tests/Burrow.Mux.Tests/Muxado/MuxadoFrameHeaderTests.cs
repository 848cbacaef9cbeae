using System.Buffers;
using Burrow.Mux.Muxado;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>The header encoding against bytes written out by hand from the wire facts (docs: ngrok-wire.md).</summary>
public sealed class MuxadoFrameHeaderTests
{
    [Fact]
    public void Header_packs_length_then_type_and_flags_into_one_big_endian_word_then_the_stream_id()
    {
        var bytes = new byte[8];
        new MuxadoFrameHeader(MuxadoFrameType.Data, MuxadoFrameFlags.Syn, 3, 5).WriteTo(bytes);

        // length 5 in the top 24 bits; type DATA (1) in bits 4-7; SYN is 0x2 (not 0x10).
        Assert.Equal(new byte[] { 0x00, 0x00, 0x05, 0x12, 0x00, 0x00, 0x00, 0x03 }, bytes);
    }

    [Theory]
    [InlineData(0, 0, 0x00)] // RST
    [InlineData(1, 1, 0x11)] // DATA FIN
    [InlineData(1, 3, 0x13)] // DATA SYN|FIN
    [InlineData(2, 0, 0x20)] // WNDINC
    [InlineData(3, 0, 0x30)] // GOAWAY
    public void Type_is_the_high_nibble_and_flags_the_low_nibble_of_the_fourth_byte(byte type, byte flags, byte expected)
    {
        var bytes = new byte[8];
        new MuxadoFrameHeader((MuxadoFrameType)type, (MuxadoFrameFlags)flags, 2, 4).WriteTo(bytes);
        Assert.Equal(expected, bytes[3]);
    }

    [Theory]
    [InlineData(1, 2, 3u, 0)]
    [InlineData(1, 1, 0x7FFF_FFFFu, 0xFF_FFFF)]
    [InlineData(2, 0, 2u, 4)]
    [InlineData(3, 0, 0u, 8 + 300)]
    [InlineData(0, 0, 1_000_001u, 4)]
    public void Header_round_trips(byte type, byte flags, uint streamId, int length)
    {
        var header = new MuxadoFrameHeader((MuxadoFrameType)type, (MuxadoFrameFlags)flags, streamId, length);
        var bytes = new byte[8];
        header.WriteTo(bytes);

        Assert.True(MuxadoFrameHeader.TryRead(new ReadOnlySequence<byte>(bytes), out var decoded));
        Assert.Equal(header, decoded);
    }

    [Fact]
    public void Reserved_top_bit_of_the_stream_id_is_ignored_on_read_and_never_written()
    {
        var decoded = MuxadoFrameHeader.Read([0x00, 0x00, 0x00, 0x10, 0x80, 0x00, 0x00, 0x05]);
        Assert.Equal(5u, decoded.StreamId);

        var bytes = new byte[8];
        new MuxadoFrameHeader(MuxadoFrameType.Data, MuxadoFrameFlags.None, 0x8000_0005, 0).WriteTo(bytes);
        Assert.Equal(0x00, bytes[4]);
    }

    [Fact]
    public void An_undefined_type_decodes_as_is_for_the_session_to_judge()
    {
        var decoded = MuxadoFrameHeader.Read([0x00, 0x00, 0x00, 0x71, 0x00, 0x00, 0x00, 0x03]);
        Assert.Equal((MuxadoFrameType)7, decoded.Type);
        Assert.Equal(MuxadoFrameFlags.Fin, decoded.Flags);
    }

    [Fact]
    public void TryRead_waits_for_eight_bytes()
    {
        Assert.False(MuxadoFrameHeader.TryRead(new ReadOnlySequence<byte>(new byte[7]), out _));
    }

    [Fact]
    public void Control_frames_are_a_header_and_one_big_endian_u32()
    {
        var rst = new byte[MuxadoControlFrame.Size];
        MuxadoControlFrame.Reset(5, MuxadoErrorCode.StreamClosed).WriteTo(rst);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04 }, rst);

        var wndinc = new byte[MuxadoControlFrame.Size];
        MuxadoControlFrame.WindowIncrement(2, 0x10000).WriteTo(wndinc);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x04, 0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00 }, wndinc);
    }

    [Fact]
    public void Error_codes_are_muxados_numbering()
    {
        // inconshreveable/muxado errors.go and ngrok-rust muxado/src/errors.rs agree on these.
        uint[] expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        MuxadoErrorCode[] codes =
        [
            MuxadoErrorCode.NoError, MuxadoErrorCode.ProtocolError, MuxadoErrorCode.InternalError, MuxadoErrorCode.FlowControlError,
            MuxadoErrorCode.StreamClosed, MuxadoErrorCode.StreamRefused, MuxadoErrorCode.StreamCancelled, MuxadoErrorCode.StreamReset,
            MuxadoErrorCode.FrameSizeError, MuxadoErrorCode.AcceptQueueFull, MuxadoErrorCode.EnhanceYourCalm, MuxadoErrorCode.RemoteGoneAway,
            MuxadoErrorCode.StreamsExhausted, MuxadoErrorCode.WriteTimeout, MuxadoErrorCode.SessionClosed, MuxadoErrorCode.PeerEOF,
        ];
        Assert.Equal(expected, codes.Select(c => (uint)c));
    }
}
