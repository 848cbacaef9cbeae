using System.Buffers.Binary;
using System.Text;

namespace Burrow.Fuzz;

/// <summary>
/// The fallback where no coverage-guided fuzzer runs (CI): inputs from a seed, made by mutating the
/// corpus (bit flips, byte runs, splices, length fields set to edge values) and by building
/// structured ones from scratch. Same seed, same inputs.
/// </summary>
public static class SeededInputs
{
    public static byte[] Next(Random random, IReadOnlyList<byte[]> corpus)
    {
        byte[] input = corpus.Count > 0 && random.Next(4) != 0
            ? (byte[])corpus[random.Next(corpus.Count)].Clone()
            : Fresh(random);
        int mutations = random.Next(1, 6);
        for (int i = 0; i < mutations && input.Length > 0; i++)
        {
            input = Mutate(random, input, corpus);
        }

        return input;
    }

    private static byte[] Fresh(Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                byte[] bytes = new byte[random.Next(1, 256)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                // A run of frame headers with small bodies.
                var frames = new MemoryStream();
                int count = random.Next(1, 12);
                for (int i = 0; i < count; i++)
                {
                    byte[] header = new byte[12];
                    header[1] = (byte)random.Next(4);
                    BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(1 << random.Next(4)));
                    BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)random.Next(8));
                    int length = header[1] == 0 ? random.Next(64) : random.Next(1 << 20);
                    BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)length);
                    frames.Write(header);
                    if (header[1] == 0)
                    {
                        byte[] body = new byte[length];
                        random.NextBytes(body);
                        frames.Write(body);
                    }
                }

                return frames.ToArray();
            default:
                string[] types = ["auth", "auth_result", "bind", "bind_result", "unbind", "notice", "proxy", "proxy_result", "nonsense"];
                string json = $"{{\"type\":\"{types[random.Next(types.Length)]}\",\"protocol_version\":{random.Next(-2, 4)},\"request_id\":\"r\",\"proto\":\"http\",\"options\":{{}}}}";
                return Encoding.UTF8.GetBytes(json);
        }
    }

    private static byte[] Mutate(Random random, byte[] input, IReadOnlyList<byte[]> corpus)
    {
        switch (random.Next(6))
        {
            case 0:
                input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                return input;
            case 1:
                input[random.Next(input.Length)] = (byte)random.Next(256);
                return input;
            case 2:
                int at = random.Next(input.Length);
                int cut = random.Next(input.Length - at + 1);
                return [.. input.AsSpan(0, at), .. input.AsSpan(at + cut)];
            case 3:
                if (input.Length >= 4)
                {
                    uint[] edges = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 65536, 65537, 262144];
                    BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(random.Next(input.Length - 3)), edges[random.Next(edges.Length)]);
                }

                return input;
            case 4:
                byte[] other = corpus.Count > 0 ? corpus[random.Next(corpus.Count)] : [];
                return [.. input.AsSpan(0, random.Next(input.Length + 1)), .. other.AsSpan(random.Next(other.Length + 1))];
            default:
                byte[] run = new byte[random.Next(1, 32)];
                Array.Fill(run, (byte)"\0{}\"[]:,\\\xFF"[random.Next(10)]);
                int where = random.Next(input.Length + 1);
                return [.. input.AsSpan(0, where), .. run, .. input.AsSpan(where)];
        }
    }
}
