using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Tests.Docs;

/// <summary>Keeps docs/protocol.md and the code from drifting apart.</summary>
public sealed partial class ProtocolDocTests
{
    private static readonly string Doc = RepoRoot.ReadAllText("docs/protocol.md");

    public static TheoryData<string, string> JsonExamples()
    {
        var data = new TheoryData<string, string>();
        foreach (Match m in JsonExample().Matches(Doc))
        {
            data.Add(m.Groups["json"].Value, m.Groups["prefix"].Value);
        }

        return data;
    }

    [Fact]
    public void Doc_has_an_example_of_every_message_type()
    {
        Assert.Equal(Regex.Count(Doc, "^```json$", RegexOptions.Multiline), JsonExample().Count(Doc));

        var types = JsonExample().Matches(Doc)
            .Select(m => ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(m.Groups["json"].Value)).Type)
            .ToHashSet();

        Assert.Equal(MessageTypes.All.Order(StringComparer.Ordinal), types.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(JsonExamples))]
    public void Doc_example_round_trips_to_the_same_bytes_and_prefix(string json, string prefix)
    {
        ControlMessage message = ControlMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(json));

        byte[] frame = ControlMessageSerializer.SerializeToFrame(message);

        Assert.Equal(json, Encoding.UTF8.GetString(frame.AsSpan(4)));
        Assert.Equal(prefix, Hex(frame.AsSpan(0, 4)));
    }

    [Fact]
    public void Doc_shows_the_first_control_frame_of_the_auth_example()
    {
        var auth = new AuthMessage
        {
            ProtocolVersion = 1,
            Authtoken = "brw_4f9c2e1d8a7b",
            Agent = new AgentInfo { Name = "burrow", Version = "0.1.0", Os = "linux" },
        };
        byte[] frame = ControlMessageSerializer.SerializeToFrame(auth);
        byte[] yamux = new byte[12];
        yamux[1] = 0; // data
        BinaryPrimitives.WriteUInt16BigEndian(yamux.AsSpan(2), 0x1); // SYN
        BinaryPrimitives.WriteUInt32BigEndian(yamux.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(yamux.AsSpan(8), (uint)frame.Length);

        Assert.Contains($"{Hex(yamux)}   yamux header", Doc, StringComparison.Ordinal);
        Assert.Contains($"{Hex(frame.AsSpan(0, 4))}                           message prefix: {frame.Length - 4}", Doc, StringComparison.Ordinal);
        Assert.Contains($"{Hex(frame.AsSpan(4, 14))} ...", Doc, StringComparison.Ordinal);
    }

    [Fact]
    public void Doc_golden_yamux_frames_match_their_fields()
    {
        MatchCollection rows = YamuxRow().Matches(Doc);

        // Every table row that ends in backticked hex is a golden frame the pattern must understand.
        int goldenLines = Doc.Split('\n').Count(line => line.StartsWith('|') && GoldenBytesCell().IsMatch(line));
        Assert.True(rows.Count >= 8, $"found {rows.Count} golden frames");
        Assert.Equal(goldenLines, rows.Count);
        foreach (Match row in rows)
        {
            byte[] expected = new byte[12];
            expected[0] = byte.Parse(row.Groups["version"].Value, CultureInfo.InvariantCulture);
            expected[1] = byte.Parse(row.Groups["type"].Value, CultureInfo.InvariantCulture);
            BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(2), Convert.ToUInt16(row.Groups["flags"].Value, 16));
            BinaryPrimitives.WriteUInt32BigEndian(expected.AsSpan(4), uint.Parse(row.Groups["stream"].Value, CultureInfo.InvariantCulture));
            BinaryPrimitives.WriteUInt32BigEndian(expected.AsSpan(8), uint.Parse(row.Groups["length"].Value, CultureInfo.InvariantCulture));
            byte[] payload = Encoding.ASCII.GetBytes(row.Groups["payload"].Value);

            Assert.Equal(Hex([.. expected, .. payload]), row.Groups["bytes"].Value);
        }
    }

    [Fact]
    public void Doc_states_the_current_version_and_alpn()
    {
        Assert.Contains($"`protocol_version` is `{BurrowProtocol.CurrentVersion}`", Doc, StringComparison.Ordinal);
        Assert.Contains($"ALPN `{BurrowProtocol.Alpn}`", Doc, StringComparison.Ordinal);
        Assert.Contains("ERR_BURROW_1003", Doc, StringComparison.Ordinal);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    [GeneratedRegex("^```json\\n(?<json>\\{[^\\n]*\\})\\n```\\nPrefix: `(?<prefix>[0-9a-f ]{11})`", RegexOptions.Multiline)]
    private static partial Regex JsonExample();

    [GeneratedRegex(@"\| `[0-9a-f ]+` \|$")]
    private static partial Regex GoldenBytesCell();

    [GeneratedRegex(@"^\| [^|]+ \| (?<version>\d+) \| (?<type>\d+) \| 0x(?<flags>[0-9a-f]+) \| (?<stream>\d+) \| (?<length>\d+) \| (`(?<payload>[^`]*)`)? ?\| `(?<bytes>[0-9a-f ]+)` \|$", RegexOptions.Multiline)]
    private static partial Regex YamuxRow();
}
