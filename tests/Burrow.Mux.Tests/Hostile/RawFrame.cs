using Burrow.Mux.Frames;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>One frame as a raw peer received it: the header and, for Data, the payload.</summary>
internal readonly record struct RawFrame(FrameHeader Header, byte[] Payload)
{
    public bool Has(FrameFlags flag) => (Header.Flags & flag) != 0;

    public override string ToString() => Header.ToString();
}
