using System.CommandLine;

namespace Burrow.Cli.Commands;

/// <summary><c>--pooling-enabled</c> on <c>burrow http|tcp|tls</c>: ngrok's flag for endpoint pooling.</summary>
internal static class PoolingOption
{
    public static Option<bool> Create() => new("--pooling-enabled")
    {
        Description = "Share the URL with other agents started with --pooling-enabled on it: the edge spreads requests (http) or connections (tcp, tls) across them.",
        Arity = ArgumentArity.ZeroOrOne,
    };
}
