using Burrow.Protocol.Errors;

namespace Burrow.Cli.Config;

/// <summary>One thing wrong with the config: an error code from the catalog and its filled message.</summary>
internal sealed record ConfigProblem(ErrorCode Code, string Message)
{
    public static ConfigProblem Of(ErrorCode code, params object?[] args) => new(code, code.FormatMessage(args));

    public override string ToString() => $"{Code.Code}: {Message}";
}
