using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>custom-response</c>: answers with <c>status_code</c>, <c>headers</c> and <c>body</c> (each may interpolate
/// <c>${…}</c>) instead of the agent's response. In <c>on_http_response</c> it replaces what the agent sent.
/// </summary>
internal sealed class CustomResponseAction : PolicyAction
{
    private readonly int _status;
    private readonly CelTemplate<PolicyContext>? _body;
    private readonly (string Name, CelTemplate<PolicyContext> Value)[] _headers;

    private CustomResponseAction(int status, CelTemplate<PolicyContext>? body, (string, CelTemplate<PolicyContext>)[] headers)
    {
        _status = status;
        _body = body;
        _headers = headers;
    }

    public override string Type => "custom-response";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("status_code", "body", "content", "headers");
        long? status = config.Integer("status_code", 100, 599, required: true);
        if (config.Has("body") && config.Has("content"))
        {
            config.Error("content", "give body or content (its older name), not both");
        }

        CelTemplate<PolicyContext>? body = config.Template(config.Has("content") ? "content" : "body");
        (string, CelTemplate<PolicyContext>)[] headers = HeadersAction.Templates(config, "headers");
        return status is null ? null : new CustomResponseAction((int)status, body, headers);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        if (context.Http is not { } http)
        {
            return ActionResult.Stop;
        }

        string? body = _body?.Render(context);
        HttpResponse response = http.Response;
        if (response.HasStarted)
        {
            http.Abort();
            return ActionResult.Stop;
        }

        response.Clear();
        response.StatusCode = _status;
        foreach ((string name, CelTemplate<PolicyContext> value) in _headers)
        {
            response.Headers.Append(name, value.Render(context));
        }

        if (body is not null && !HttpMethods.IsHead(http.Request.Method))
        {
            if (!response.Headers.ContainsKey("Content-Type"))
            {
                response.ContentType = "text/plain; charset=utf-8";
            }

            await response.WriteAsync(body).ConfigureAwait(false);
        }

        return ActionResult.Stop;
    }
}
