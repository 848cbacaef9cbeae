using System.Text.RegularExpressions;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Expressions.Runtime;
using Burrow.Edge.Policy.Loading;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>redirect</c>: when the request's URL (<c>scheme://host/path?query</c>) matches <c>from</c> (a regex; absent matches
/// every URL), answers <c>status_code</c> (302) with Location <c>to</c>, where <c>$1</c>… are <c>from</c>'s groups and
/// <c>${…}</c> interpolates. A URL that does not match goes on untouched.
/// </summary>
internal sealed class RedirectAction : PolicyAction
{
    private readonly UrlPattern _pattern;
    private readonly int _status;
    private readonly (string Name, CelTemplate<PolicyContext> Value)[] _headers;

    private RedirectAction(UrlPattern pattern, int status, (string, CelTemplate<PolicyContext>)[] headers)
    {
        _pattern = pattern;
        _status = status;
        _headers = headers;
    }

    public override string Type => "redirect";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("from", "to", "status_code", "headers", "format");
        UrlPattern? pattern = UrlPattern.Create(config);
        long? status = config.Integer("status_code", 300, 399);
        (string, CelTemplate<PolicyContext>)[] headers = HeadersAction.Templates(config, "headers");
        return pattern is null ? null : new RedirectAction(pattern, (int)(status ?? 302), headers);
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        HttpContext http = context.Http!;
        if (_pattern.Apply(context, UrlPattern.UrlOf(http.Request)) is not { } location)
        {
            return new ValueTask<ActionResult>(ActionResult.Continue);
        }

        HttpResponse response = http.Response;
        response.Clear();
        response.StatusCode = _status;
        foreach ((string name, CelTemplate<PolicyContext> value) in _headers)
        {
            response.Headers.Append(name, value.Render(context));
        }

        response.Headers.Location = location;
        return new ValueTask<ActionResult>(ActionResult.Stop);
    }
}

/// <summary>The <c>from</c>/<c>to</c> pair of redirect and url-rewrite: a regex over the URL and a replacement template.</summary>
internal sealed class UrlPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);
    private readonly Regex? _from;
    private readonly CelTemplate<PolicyContext> _to;

    private UrlPattern(Regex? from, CelTemplate<PolicyContext> to)
    {
        _from = from;
        _to = to;
    }

    public static UrlPattern? Create(ActionConfig config)
    {
        string? from = config.String("from");
        CelTemplate<PolicyContext>? to = config.Template("to", required: true);
        Regex? regex = null;
        if (from is not null)
        {
            if (from.Length > 1024)
            {
                config.Error("from", "the pattern is longer than 1024 characters");
                return null;
            }

            try
            {
                // Linear-time matching: a hostile pattern cannot make a request spin.
                regex = new Regex(from, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, MatchTimeout);
                // As for matches(): the first match builds the automaton and JITs the engine, which alone can pass
                // the timeout on a busy machine; pay for it at bind time, not on the first request.
                CelRegex.WarmUp(regex, "https://warm-up.example:8443/path/0123456789?query=1");
            }
            catch (ArgumentException ex)
            {
                config.Error("from", $"not a valid regular expression: {ex.Message}");
                return null;
            }
            catch (NotSupportedException ex)
            {
                config.Error("from", $"this regular expression needs backtracking, which the edge does not run: {ex.Message}");
                return null;
            }
        }

        return to is null ? null : new UrlPattern(regex, to);
    }

    public static string UrlOf(HttpRequest request) =>
        string.Concat(request.Scheme, "://", request.Host.Value, request.PathBase.Value, request.Path.Value is { Length: > 0 } p ? p : "/", request.QueryString.Value);

    /// <summary>The replacement for <paramref name="url"/>, or <see langword="null"/> when <c>from</c> does not match it.</summary>
    public string? Apply(PolicyContext context, string url)
    {
        string to = _to.Render(context);
        if (_from is null)
        {
            return to;
        }

        // The timeout is wall-clock: a starved core or a GC pause can trip it on a short linear match. One retry
        // tells that from a truly slow match, which times out again (bounded at twice the timeout), as CelRegex does.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // As Go's ReplaceAllString, which ngrok users write for: each match replaced, $1… its groups, the rest kept.
                return _from.IsMatch(url) ? _from.Replace(url, to) : null;
            }
            catch (RegexMatchTimeoutException) when (attempt == 1)
            {
            }
            catch (RegexMatchTimeoutException)
            {
                throw new CelEvaluationException("the from pattern took longer than 50 ms to match, twice");
            }
        }
    }
}
