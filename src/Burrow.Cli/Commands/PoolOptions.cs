using System.CommandLine.Parsing;
using Burrow.Edge.Routing.Pooling;

namespace Burrow.Cli.Commands;

/// <summary>The edge's endpoint pooling flags: <c>--pool-balance</c> and <c>--pool-recheck-interval</c> on <c>burrow server</c>.</summary>
internal static class PoolOptions
{
    private static readonly TimeSpan MinRecheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRecheck = TimeSpan.FromHours(1);

    /// <summary><c>round-robin</c> or <c>least-outstanding</c>.</summary>
    public static PoolBalance ParseBalance(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        switch (text.ToLowerInvariant())
        {
            case "round-robin":
                return PoolBalance.RoundRobin;
            case "least-outstanding":
                return PoolBalance.LeastOutstanding;
            default:
                result.AddError($"--pool-balance '{text}' is not known; use round-robin or least-outstanding.");
                return PoolBalance.RoundRobin;
        }
    }

    /// <summary>A duration from 1 s to 1 h: shorter would hammer a dead upstream, longer keeps a recovered one idle.</summary>
    public static TimeSpan ParseRecheckInterval(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Durations.TryParse(text, out TimeSpan value) && value >= MinRecheck && value <= MaxRecheck)
        {
            return value;
        }

        result.AddError($"--pool-recheck-interval '{text}' must be a duration from 1s to 1h, for example 10s.");
        return MinRecheck;
    }
}
