using System.CommandLine;
using System.Globalization;
using Burrow.Agent;

namespace Burrow.Cli.Commands;

/// <summary>The web interface's flags: <c>--web-addr</c>, <c>--inspect-budget</c>, <c>--inspect-body-limit</c> and <c>--metrics</c>.</summary>
internal sealed class WebOptions
{
    /// <summary>Whether metrics are collected (<c>--metrics</c>, default on).</summary>
    public bool Metrics(ParseResult parse) => parse.GetValue(_metrics);

    /// <summary>The smallest inspector budget: one capture block with room for a few exchanges.</summary>
    public const long MinimumBudget = 1024 * 1024;

    private readonly Option<string> _webAddr = new("--web-addr") { Description = "Where the inspector and agent API listen, host:port (the next free port if taken), or false for none (default 127.0.0.1:4040, or the config file's web_addr)." };
    private readonly Option<string> _budget = new("--inspect-budget") { Description = "Memory for captured requests, oldest dropped first (default 20MB, or the config file's inspect_db_size), e.g. 64MB." };
    private readonly Option<bool> _metrics = new("--metrics") { Description = "Collect metrics: Prometheus text at /metrics on the web address, and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.", DefaultValueFactory = _ => true };
    private readonly Option<string> _bodyLimit = new("--inspect-body-limit") { Description = "Bytes kept of each request and response body; the rest is marked as cut, e.g. 128KB.", DefaultValueFactory = _ => "128KB" };

    public static WebOptions AddTo(Command command)
    {
        var options = new WebOptions();
        command.Options.Add(options._webAddr);
        command.Options.Add(options._budget);
        command.Options.Add(options._bodyLimit);
        command.Options.Add(options._metrics);
        return options;
    }

    /// <summary>
    /// Reads the flags; returns a message for the user when one is bad. <paramref name="fileBudget"/> is the config
    /// file's <c>inspect_db_size</c> in bytes, used when <c>--inspect-budget</c> is not given.
    /// </summary>
    public string? Read(ParseResult parse, long? fileBudget, out string? webAddress, out long budget, out int bodyLimit)
    {
        // Not given stays null, so the caller can fall back to the config file's web_addr.
        webAddress = parse.GetValue(_webAddr)?.Trim();
        bodyLimit = 0;
        budget = fileBudget ?? AgentOptions.DefaultInspectBudgetBytes;
        if (parse.GetValue(_budget) is { } budgetFlag && (!TryParseSize(budgetFlag, out budget) || budget < MinimumBudget))
        {
            return $"--inspect-budget '{budgetFlag}' is not a size of at least 1MB, e.g. 64MB.";
        }

        if (!TryParseSize(parse.GetValue(_bodyLimit)!, out long limit) || limit > int.MaxValue / 2 || limit > budget)
        {
            return $"--inspect-body-limit '{parse.GetValue(_bodyLimit)}' is not a size up to the budget, e.g. 128KB.";
        }

        bodyLimit = (int)limit;
        return null;
    }

    internal static bool TryParseSize(string text, out long bytes)
    {
        text = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach ((string suffix, long factor) in new[] { ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1L) })
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = factor;
                text = text[..^suffix.Length].Trim();
                break;
            }
        }

        bytes = 0;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number > long.MaxValue / unit)
        {
            return false;
        }

        bytes = number * unit;
        return true;
    }
}
