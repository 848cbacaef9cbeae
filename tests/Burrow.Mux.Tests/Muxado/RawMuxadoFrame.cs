using System.Buffers.Binary;
using System.Text;

namespace Burrow.Mux.Tests.Muxado;

/// <summary>One frame as a raw peer received it, decoded by the test itself (not by the code under test).</summary>
internal sealed record RawMuxadoFrame(int Type, int Flags, uint StreamId, byte[] Payload)
{
    public const int Rst = 0;
    public const int Data = 1;
    public const int WndInc = 2;
    public const int GoAway = 3;
    public const int Fin = 0x1;
    public const int Syn = 0x2;

    public bool IsData => Type == Data;

    public bool Has(int flag) => (Flags & flag) != 0;

    /// <summary>The u32 an RST, WNDINC or GOAWAY carries first (code, increment, last stream id).</summary>
    public uint First => BinaryPrimitives.ReadUInt32BigEndian(Payload);

    /// <summary>GOAWAY's error code.</summary>
    public uint GoAwayCode => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4));

    public string GoAwayDebug => Encoding.UTF8.GetString(Payload.AsSpan(8));

    public override string ToString() => Type switch
    {
        Rst => $"RST stream={StreamId} code={First}",
        WndInc => $"WNDINC stream={StreamId} +{First}",
        GoAway => $"GOAWAY last={First} code={GoAwayCode} debug='{GoAwayDebug}'",
        Data => $"DATA stream={StreamId}{(Has(Syn) ? " SYN" : string.Empty)}{(Has(Fin) ? " FIN" : string.Empty)} {Payload.Length} bytes",
        _ => $"type {Type} stream={StreamId} {Payload.Length} bytes",
    };
}
