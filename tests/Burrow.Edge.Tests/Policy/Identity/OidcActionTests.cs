using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Policy.Identity;

/// <summary>The oidc action without a browser: redirects, refusals, sessions and config errors. The whole sign-in runs in Burrow.EndToEnd.Tests/Policy/OidcBrowserTests.</summary>
public sealed class OidcActionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly OidcKeys _keys = OidcKeys.FromKey(RandomNumberGenerator.GetBytes(32));
    private readonly HttpClient _http = new();
    private JwksServer _provider = null!;

    public async ValueTask InitializeAsync() => _provider = await JwksServer.StartAsync(JwksServer.NewRsaKey("k1"));

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _http.Dispose();
    }

    private OidcAction Create(string extra = "")
    {
        var errors = new List<(string Path, string Message)>();
        OidcAction? action = OidcAction.Create((JsonObject)JsonNode.Parse($$"""{ "issuer_url": "{{_provider.Issuer}}", "client_id": "burrow", "client_secret": "s" {{extra}} }""")!, _keys, _http, _time, errors);
        Assert.Empty(errors);
        return action!;
    }

    private static DefaultHttpContext Request(string method = "GET", string path = "/app", string? cookie = null, string? fetchMode = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("demo.burrow.test");
        context.Request.Path = path;
        context.Request.QueryString = new QueryString("?a=1");
        context.Response.Body = new MemoryStream();
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        if (fetchMode is not null)
        {
            context.Request.Headers["Sec-Fetch-Mode"] = fetchMode;
        }

        return context;
    }

    [Fact]
    public async Task HandleAsync_NavigationWithoutSession_RedirectsWithPkceStateNonce()
    {
        DefaultHttpContext context = Request();

        IdentityOutcome outcome = await Create().HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.False(outcome.Continue);
        Assert.Equal(302, context.Response.StatusCode);
        var location = new Uri(context.Response.Headers.Location.ToString());
        Assert.Equal(_provider.Issuer + "/auth", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("burrow", query["client_id"]);
        Assert.Equal("https://demo.burrow.test/.burrow/oidc/callback", query["redirect_uri"]);
        Assert.Equal("openid profile email", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.NotEqual(query["state"], query["nonce"]);
        string setCookie = context.Response.Headers.SetCookie.ToString();
        Assert.Contains("burrow_oidc_state=", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/.burrow/oidc/", setCookie, StringComparison.Ordinal);
        Assert.Contains("secure", setCookie, StringComparison.Ordinal);
        Assert.Contains("samesite=lax", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", null)]
    [InlineData("GET", "cors")]
    public async Task HandleAsync_ScriptOrPostWithoutSession_401(string method, string? fetchMode)
    {
        DefaultHttpContext context = Request(method, fetchMode: fetchMode);
        IdentityOutcome outcome = await Create().HandleAsync(context, TestContext.Current.CancellationToken);
        Assert.False(outcome.Continue);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("ERR_BURROW_3122", outcome.ErrorCode);
    }

    [Fact]
    public async Task HandleAsync_LiveSession_ContinuesWithIdentity_UntilIdleOrMax()
    {
        OidcAction action = Create(", \"idle_session_timeout\": \"10m\", \"max_session_duration\": \"30m\"");
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        string cookie = action.SessionCookieName + "=" + action.SealSession(new OidcSession(new() { ["sub"] = "ada", ["email"] = "ada@example.test" }, now, now));

        IdentityOutcome outcome = await action.HandleAsync(Request(cookie: cookie), TestContext.Current.CancellationToken);
        Assert.True(outcome.Continue);
        Assert.Equal("ada@example.test", ((IReadOnlyDictionary<string, object?>)outcome.Variables["identity"]!)["email"]);

        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.False((await action.HandleAsync(Request(cookie: cookie), TestContext.Current.CancellationToken)).Continue);

        // Seen recently but signed in longer ago than the max duration.
        now = _time.GetUtcNow().ToUnixTimeSeconds();
        string old = action.SessionCookieName + "=" + action.SealSession(new OidcSession(new() { ["sub"] = "ada" }, now - 31 * 60, now));
        Assert.False((await action.HandleAsync(Request(cookie: old), TestContext.Current.CancellationToken)).Continue);
    }

    [Fact]
    public async Task HandleAsync_SessionOfAnotherAuthId_NotAccepted()
    {
        OidcAction admin = Create(", \"auth_id\": \"admin\"");
        OidcAction other = Create();
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        // Same cookie name forced, different sealing purpose: the cookie opens as nothing.
        string cookie = other.SessionCookieName + "=" + admin.SealSession(new OidcSession(new() { ["sub"] = "ada" }, now, now));
        Assert.False((await other.HandleAsync(Request(cookie: cookie), TestContext.Current.CancellationToken)).Continue);
        Assert.Equal("burrow_oidc_admin", admin.SessionCookieName);
    }

    [Fact]
    public async Task HandleAsync_CorsPreflight_PassesOnlyWhenAllowed()
    {
        DefaultHttpContext preflight = Request("OPTIONS");
        preflight.Request.Headers["Access-Control-Request-Method"] = "POST";
        Assert.True((await Create(", \"allow_cors_preflight\": true").HandleAsync(preflight, TestContext.Current.CancellationToken)).Continue);

        DefaultHttpContext again = Request("OPTIONS");
        again.Request.Headers["Access-Control-Request-Method"] = "POST";
        Assert.False((await Create().HandleAsync(again, TestContext.Current.CancellationToken)).Continue);
    }

    [Fact]
    public async Task HandleAsync_CallbackWithoutStateCookie_403()
    {
        DefaultHttpContext context = Request(path: "/.burrow/oidc/callback");
        context.Request.QueryString = new QueryString("?code=abc&state=xyz");
        IdentityOutcome outcome = await Create().HandleAsync(context, TestContext.Current.CancellationToken);
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("ERR_BURROW_3123", outcome.ErrorCode);
    }

    [Fact]
    public async Task HandleAsync_Logout_ClearsCookie()
    {
        DefaultHttpContext context = Request(path: "/.burrow/oidc/logout");
        await Create().HandleAsync(context, TestContext.Current.CancellationToken);
        Assert.Contains("burrow_oidc=;", context.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BadConfig_ErrorsCarryPaths()
    {
        var errors = new List<(string Path, string Message)>();
        var config = (JsonObject)JsonNode.Parse("""{ "issuer_url": "ftp://x", "scopes": ["openid", "a b"], "auth_id": "bad id!", "idle_session_timeout": "soon", "max_session_duration": -5, "allow_cors_preflight": "yes", "clientid": "x" }""")!;

        Assert.Null(OidcAction.Create(config, _keys, _http, _time, errors));

        string[] paths = [.. errors.Select(e => e.Path)];
        Assert.Equal(["clientid", "issuer_url", "client_id", "scopes[1]", "auth_id", "idle_session_timeout", "max_session_duration", "allow_cors_preflight"], paths);
    }
}
