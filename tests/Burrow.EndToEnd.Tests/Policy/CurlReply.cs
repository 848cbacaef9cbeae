using System.Globalization;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>What curl got: its exit code, the status, the response headers (last response only) and the body's bytes.</summary>
public sealed record CurlReply(int ExitCode, string Stderr, int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Runs curl with <paramref name="args"/> (the URL among them), trusting the edge's CA, and reads back what it wrote.</summary>
    public static async Task<CurlReply> RunAsync(string caPath, IEnumerable<string> args)
    {
        string dir = Directory.CreateTempSubdirectory("burrow-curl-").FullName;
        try
        {
            string headers = Path.Combine(dir, "headers"), body = Path.Combine(dir, "body");
            (int exit, string stdout, string stderr) = await Curl.RunAsync(
                ["--cacert", caPath, "--dump-header", headers, "--output", body, "--write-out", "%{http_code}", .. args], TimeSpan.FromSeconds(30));
            var parsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (File.Exists(headers))
            {
                foreach (string line in File.ReadAllLines(headers))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (line.StartsWith("HTTP/", StringComparison.Ordinal))
                    {
                        parsed.Clear();
                    }
                    else if (colon > 0)
                    {
                        string name = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                        parsed[name] = parsed.TryGetValue(name, out string? before) ? before + ", " + value : value;
                    }
                }
            }

            int status = int.TryParse(stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int code) ? code : 0;
            return new CurlReply(exit, stderr, status, parsed, File.Exists(body) ? await File.ReadAllBytesAsync(body) : []);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
