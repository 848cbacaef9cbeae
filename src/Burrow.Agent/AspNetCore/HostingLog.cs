using Microsoft.Extensions.Logging;

namespace Burrow.Agent.AspNetCore;

/// <summary>The lines the hosting extensions write to the app's log (category <c>Burrow.Agent.AspNetCore</c>).</summary>
internal static partial class HostingLog
{
    public const string Category = "Burrow.Agent.AspNetCore";

    [LoggerMessage(1, LogLevel.Information, "Burrow tunnel {Name} online: {Url} forwards to {Upstream}")]
    public static partial void Online(ILogger logger, string name, Uri url, string upstream);

    [LoggerMessage(2, LogLevel.Error, "Burrow tunnel could not open ({Code}): {Reason}")]
    public static partial void Failed(ILogger logger, string code, string reason);
}
