using System.Buffers.Binary;
using Burrow.Mux.Frames;

namespace Burrow.Mux.Tests.Hostile;

// What the fuzzer sends: valid frames from its model of the streams it opened, mutations that
// keep the framing, and breakers that do not. Uses only the seeded Random, never the session.
internal sealed partial class FrameFuzzer
{
    private byte[] NextValidFrame()
    {
        var roll = _random.Next(100);
        if (roll < 14 || _live.Count == 0)
        {
            return Open();
        }

        var id = _live.Keys.ElementAt(_random.Next(_live.Count));
        return roll switch
        {
            < 50 => DataFor(id),
            < 60 => RawPeer.Window(id, FrameFlags.None, (uint)_random.Next(0, 64 * 1024)),
            < 66 => Fin(id),
            < 71 => Reset(id),
            < 82 => RawPeer.Ping(FrameFlags.Syn, (uint)_random.Next()),
            < 85 => RawPeer.Ping(FrameFlags.Ack, (uint)_random.Next()),
            < 99 => LateFrame(),
            _ => RawPeer.GoAway(GoAwayCode.Normal),
        };
    }

    private byte[] Open()
    {
        var id = _nextId;
        _nextId += 2;
        _live[id] = 0;
        if (_random.Next(3) == 0)
        {
            return DataFor(id, FrameFlags.Syn);
        }

        return RawPeer.Window(id, FrameFlags.Syn, (uint)_random.Next(0, 2) * (uint)_random.Next(0, 1 << 20));
    }

    private byte[] DataFor(uint id, FrameFlags flags = FrameFlags.None)
    {
        var room = _finSent.Contains(id) ? 0 : Window - _live[id];
        var length = (int)Math.Min(room, _random.Next(100) < 80 ? _random.Next(0, 2048) : _random.Next(0, 64 * 1024));
        _live[id] += length;
        if (_random.Next(100) < 8 && !_finSent.Contains(id))
        {
            flags |= FrameFlags.Fin;
            _finSent.Add(id);
        }

        var payload = new byte[length];
        _random.NextBytes(payload);
        return RawPeer.Data(id, payload, flags);
    }

    private byte[] Fin(uint id)
    {
        _finSent.Add(id);
        return RawPeer.Window(id, FrameFlags.Fin);
    }

    private byte[] Reset(uint id)
    {
        _live.Remove(id);
        _finSent.Remove(id);
        _ended.Add(id);
        return RawPeer.Window(id, FrameFlags.Rst);
    }

    /// <summary>A frame for a stream the fuzzer already reset: yamux peers send these all the time.</summary>
    private byte[] LateFrame()
    {
        if (_ended.Count == 0)
        {
            return RawPeer.Ping(FrameFlags.Syn, 0);
        }

        var id = _ended[_random.Next(_ended.Count)];
        return _random.Next(4) switch
        {
            0 => RawPeer.Data(id, new byte[_random.Next(0, 512)]),
            1 => RawPeer.Window(id, FrameFlags.None, (uint)_random.Next()),
            2 => RawPeer.Window(id, FrameFlags.Fin),
            _ => RawPeer.Window(id, FrameFlags.Rst),
        };
    }

    /// <summary>Changes one header field while keeping the frame's length, so the framing stays intact.</summary>
    private byte[] Mutate(byte[] frame)
    {
        var header = frame.AsSpan(0, FrameHeader.Size);
        var isData = header[1] == (byte)FrameType.Data;
        switch (_random.Next(isData ? 2 : 4))
        {
            case 0:
                BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)_random.Next(0, 1 << 16));
                break;
            case 1:
                uint[] ids = [0, 1, 2, _nextId, _nextId + 2, _nextId + 1, (uint)_random.Next(), uint.MaxValue];
                BinaryPrimitives.WriteUInt32BigEndian(header[4..], ids[_random.Next(ids.Length)]);
                break;
            case 2:
                BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)_random.Next() * 2u);
                break;
            default:
                // Another payload-less type: Window Update, Ping or Go Away with the same fields.
                header[1] = (byte)_random.Next(1, 4);
                break;
        }

        return frame;
    }

    /// <summary>Bytes after which the session and the fuzzer no longer agree where frames start.</summary>
    private byte[] BreakFraming()
    {
        switch (_random.Next(4))
        {
            case 0:
                var noise = new byte[_random.Next(1, 40)];
                _random.NextBytes(noise);
                return noise;
            case 1:
                var badVersion = NextValidFrame();
                badVersion[0] = (byte)_random.Next(1, 256);
                return badVersion;
            case 2:
                var badType = NextValidFrame();
                badType[1] = (byte)_random.Next(4, 256);
                return badType;
            default:
                // A header, or a data frame missing the end of its payload; then the fuzzer hangs up.
                var truncated = RawPeer.Data(_nextId, new byte[_random.Next(1, 100)]);
                return truncated[.._random.Next(1, truncated.Length)];
        }
    }

    /// <summary>Counts SYNs as the session will parse them (before the bytes go out), so the checker knows which ids exist.</summary>
    private void NoteSyn(byte[] frame)
    {
        if (frame.Length >= FrameHeader.Size && frame[0] == 0 && frame[1] <= (byte)FrameType.WindowUpdate
            && (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2)) & (ushort)FrameFlags.Syn) != 0)
        {
            _synsSent.AddOrUpdate(BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)), 1, static (_, n) => n + 1);
        }
    }
}
