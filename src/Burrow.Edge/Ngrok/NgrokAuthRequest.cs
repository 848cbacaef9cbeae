using System.Text.Json;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Ngrok;

/// <summary>What an ngrok client's Auth request says (stream type 0), read tolerantly: the SDK and the Go agent differ in spelling and fields.</summary>
internal sealed record NgrokAuthRequest
{
    /// <summary>Protocol versions the client speaks, in its order of preference (the SDK "3", "2"; the Go agent "2").</summary>
    public required IReadOnlyList<string> Versions { get; init; }

    /// <summary>The session to resume (the ClientId an earlier AuthResp gave), or empty.</summary>
    public required string ClientId { get; init; }

    public required string Authtoken { get; init; }

    public required string Cookie { get; init; }

    public required AgentInfo Agent { get; init; }

    /// <summary>How often the client beats (its heartbeat stream), and how long it tolerates a missing echo.</summary>
    public required TimeSpan HeartbeatInterval { get; init; }

    public required TimeSpan HeartbeatTolerance { get; init; }

    /// <summary>The version the answer carries: the client's first choice among those this edge speaks (both are served the same).</summary>
    public string AnswerVersion => Versions.FirstOrDefault(v => v is "3" or "2") ?? "2";

    public static NgrokAuthRequest Parse(JsonElement root)
    {
        JsonElement extra = NgrokJson.Find(root, "Extra") ?? default;
        string userAgent = NgrokJson.String(extra, "UserAgent");
        string clientType = NgrokJson.String(extra, "ClientType");
        string os = NgrokJson.String(extra, "OS", "Os");
        string arch = NgrokJson.String(extra, "Arch");
        return new NgrokAuthRequest
        {
            Versions = NgrokJson.Strings(root, "Version"),
            ClientId = NgrokJson.String(root, "ClientId"),
            Authtoken = NgrokJson.String(extra, "AuthToken", "Authtoken", "authtoken"),
            Cookie = NgrokJson.String(extra, "Cookie"),
            Agent = new AgentInfo
            {
                // "ngrok-javascript" (the SDK says what it is), else the Go agent's "ngrok/2" user agent.
                Name = clientType.Length > 0 ? clientType : userAgent.StartsWith("ngrok/", StringComparison.Ordinal) ? "ngrok-agent" : userAgent.Length > 0 ? userAgent : "ngrok",
                Version = NgrokJson.String(extra, "Version"),
                Os = arch.Length > 0 ? $"{os}/{arch}" : os,
            },
            HeartbeatInterval = Nanoseconds(NgrokJson.Int64(extra, "HeartbeatInterval")),
            HeartbeatTolerance = Nanoseconds(NgrokJson.Int64(extra, "HeartbeatTolerance")),
        };
    }

    private static TimeSpan Nanoseconds(long ns) => ns > 0 ? TimeSpan.FromTicks(ns / 100) : TimeSpan.Zero;
}
