using Burrow.Edge.Errors;
using Burrow.Edge.Policy.Loading;
using Burrow.Edge.Policy.Variables;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>basic-auth</c>: the request must carry one of <c>credentials</c> (<c>user:password</c>); else 401 with a
/// <c>WWW-Authenticate</c> challenge for <c>realm</c>. The credentials are for the edge: the Authorization header is
/// removed before the request goes on. With <c>enforce: false</c> only the result is recorded.
/// </summary>
internal sealed class BasicAuthAction : PolicyAction
{
    private readonly BasicAuthCredential[] _credentials;
    private readonly string _challenge;
    private readonly bool _enforce;

    private BasicAuthAction(BasicAuthCredential[] credentials, string realm, bool enforce)
    {
        _credentials = credentials;
        _challenge = $"Basic realm=\"{realm}\", charset=\"UTF-8\"";
        _enforce = enforce;
    }

    public override string Type => "basic-auth";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("credentials", "realm", "enforce");
        IReadOnlyList<string> texts = config.Strings("credentials", required: true) ?? [];
        var credentials = new List<BasicAuthCredential>();
        for (int i = 0; i < texts.Count; i++)
        {
            if (BasicAuthCredential.TryParse(texts[i], out BasicAuthCredential? credential, out ProtocolError? error, "credentials"))
            {
                credentials.Add(credential);
            }
            else
            {
                config.Error($"credentials[{i}]", error.Message);
            }
        }

        string realm = config.String("realm") ?? "burrow";
        if (realm.AsSpan().IndexOfAny("\"\\\r\n") >= 0 || realm.Length > 128)
        {
            config.Error("realm", "a realm is at most 128 characters without quotes, backslashes or line breaks");
        }

        return new BasicAuthAction([.. credentials], realm, config.Boolean("enforce") ?? true);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        var http = context.Http!;
        bool authorized = BasicAuthCheck.Matches(_credentials, http.Request.Headers.Authorization);
        context.SetResult(ResultName, new ResultMap().Set("authorized", authorized));
        if (authorized)
        {
            http.Request.Headers.Authorization = default;
            return ActionResult.Continue;
        }

        if (!_enforce)
        {
            return ActionResult.Continue;
        }

        await ErrorResponder.WriteAsync(http, ErrorCodes.BasicAuthRequired, ErrorCodes.BasicAuthRequired.FormatMessage(), 401,
            response => response.Headers.WWWAuthenticate = _challenge).ConfigureAwait(false);
        return ActionResult.Stop;
    }
}
