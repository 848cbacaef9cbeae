using Burrow.Edge.Policy.Loading;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>url-rewrite</c>: like redirect, but the new URL's path and query go to the agent while the client's URL stays;
/// a URL that does not match <c>from</c> goes on untouched.
/// </summary>
internal sealed class UrlRewriteAction : PolicyAction
{
    private readonly UrlPattern _pattern;

    private UrlRewriteAction(UrlPattern pattern)
    {
        _pattern = pattern;
    }

    public override string Type => "url-rewrite";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("from", "to", "format");
        return UrlPattern.Create(config) is { } pattern ? new UrlRewriteAction(pattern) : null;
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        HttpRequest request = context.Http!.Request;
        if (_pattern.Apply(context, UrlPattern.UrlOf(request)) is { } rewritten)
        {
            // A full URL keeps only its path and query; a bare path is taken as it is.
            string target = Uri.TryCreate(rewritten, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
                ? uri.PathAndQuery
                : rewritten;
            int query = target.IndexOf('?', StringComparison.Ordinal);
            string path = query < 0 ? target : target[..query];
            request.PathBase = PathString.Empty;
            request.Path = path.StartsWith('/') ? PathString.FromUriComponent(path) : PathString.FromUriComponent("/" + path);
            request.QueryString = query < 0 ? QueryString.Empty : QueryString.FromUriComponent(target[query..]);
        }

        return new ValueTask<ActionResult>(ActionResult.Continue);
    }
}
