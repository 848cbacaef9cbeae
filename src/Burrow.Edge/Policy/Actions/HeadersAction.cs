using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Validation;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>add-headers</c> (a map of names to values, which may interpolate <c>${…}</c>) and <c>remove-headers</c> (a list of
/// names), on the request before it goes to the agent or on the response before it goes to the client.
/// </summary>
internal sealed class HeadersAction : PolicyAction
{
    private readonly (string Name, CelTemplate<PolicyContext> Value)[] _add;
    private readonly string[] _remove;

    private HeadersAction(string type, (string, CelTemplate<PolicyContext>)[] add, string[] remove)
    {
        Type = type;
        _add = add;
        _remove = remove;
    }

    public override string Type { get; }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static PolicyAction? CreateAdd(ActionConfig config)
    {
        config.Known("headers");
        if (!config.Has("headers"))
        {
            config.Error("", "'headers' is required: a map of header names to values");
        }

        return new HeadersAction("add-headers", Templates(config, "headers"), []);
    }

    public static PolicyAction? CreateRemove(ActionConfig config)
    {
        config.Known("headers");
        IReadOnlyList<string> names = config.Strings("headers", required: true) ?? [];
        for (int i = 0; i < names.Count; i++)
        {
            if (!HeaderNames.TryValidateRemoval(names[i], out var error, "headers"))
            {
                config.Error($"headers[{i}]", error.Message);
            }
        }

        return new HeadersAction("remove-headers", [], [.. names]);
    }

    /// <summary>A map of header names to templated values, names checked as HTTP tokens.</summary>
    internal static (string, CelTemplate<PolicyContext>)[] Templates(ActionConfig config, string key)
    {
        var list = new List<(string, CelTemplate<PolicyContext>)>();
        foreach ((string name, string value) in config.StringMap(key) ?? [])
        {
            if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(TokenChars) >= 0)
            {
                config.Error($"{key}.{name}", $"'{name}' is not a valid header name");
                continue;
            }

            if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                config.Error($"{key}.{name}", "a header value cannot hold CR, LF or NUL");
                continue;
            }

            if (config.CompileTemplate($"{key}.{name}", value) is { } template)
            {
                list.Add((name, template));
            }
        }

        return [.. list];
    }

    public override ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        if (context.Http is not { } http)
        {
            return new ValueTask<ActionResult>(ActionResult.Continue);
        }

        // The response phase runs once the agent's headers are on the response; the request phase before forwarding.
        IHeaderDictionary headers = context.Phase == PolicyPhaseKind.HttpResponse ? http.Response.Headers : http.Request.Headers;
        foreach (string name in _remove)
        {
            headers.Remove(name);
        }

        foreach ((string name, CelTemplate<PolicyContext> value) in _add)
        {
            string rendered = value.Render(context);
            // A rendered value comes from the request; it must not split the header.
            if (rendered.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                rendered = rendered.Replace('\r', ' ').Replace('\n', ' ').Replace('\0', ' ');
            }

            headers.Append(name, rendered);
        }

        return new ValueTask<ActionResult>(ActionResult.Continue);
    }
}
