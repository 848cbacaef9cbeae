using System.Text;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>log</c>: writes <c>metadata</c> (a map whose string values may interpolate <c>${…}</c>) to the edge's log as one
/// line (event 3150), with the tunnel and the rule.
/// </summary>
internal sealed class LogAction : PolicyAction
{
    private readonly (string Name, CelTemplate<PolicyContext> Value)[] _metadata;
    private readonly ILogger _logger;

    private LogAction((string, CelTemplate<PolicyContext>)[] metadata, ILogger logger)
    {
        _metadata = metadata;
        _logger = logger;
    }

    private static readonly System.Buffers.SearchValues<char> QuoteChars = System.Buffers.SearchValues.Create(" \"=\r\n");

    public override string Type => "log";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("metadata");
        var metadata = new List<(string, CelTemplate<PolicyContext>)>();
        foreach ((string name, string value) in config.StringMap("metadata", required: true) ?? [])
        {
            if (config.CompileTemplate($"metadata.{name}", value) is { } template)
            {
                metadata.Add((name, template));
            }
        }

        return new LogAction([.. metadata], config.Services.Logger);
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var line = new StringBuilder();
            foreach ((string name, CelTemplate<PolicyContext> value) in _metadata)
            {
                string rendered = value.Render(context);
                line.Append(line.Length == 0 ? "" : " ").Append(name).Append('=');
                bool quote = rendered.Length == 0 || rendered.AsSpan().IndexOfAny(QuoteChars) >= 0;
                line.Append(quote ? "\"" + rendered.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"" : rendered);
            }

            string text = line.ToString();
            PolicyLog.Metadata(_logger, context.Tunnel.Hostname, context.RuleName, text);
        }

        return new ValueTask<ActionResult>(ActionResult.Continue);
    }
}
