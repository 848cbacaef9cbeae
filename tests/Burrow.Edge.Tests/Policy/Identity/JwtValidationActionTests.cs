using System.Text;
using System.Text.Json.Nodes;
using Burrow.Edge.Policy.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.Edge.Tests.Policy.Identity;

public sealed class JwtValidationActionTests : IAsyncLifetime
{
    private const string Audience = "api://burrow-tests";
    private readonly RsaSecurityKey _rsa = JwksServer.NewRsaKey("rsa-1");
    private readonly ECDsaSecurityKey _ec = JwksServer.NewEcKey("ec-1");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly HttpClient _http = new();
    private JwksServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await JwksServer.StartAsync(_rsa, _ec);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
    }

    private JsonObject Config(string? jku = "default", string algorithms = "[\"RS256\", \"ES256\"]", string? http = null) => (JsonObject)JsonNode.Parse($$"""
        {
          "issuer": { "allow_list": [ { "value": "{{_server.Issuer}}" } ] },
          "audience": { "allow_list": [ { "value": "{{Audience}}" } ] },
          {{(http is null ? "" : "\"http\": " + http + ",")}}
          "jws": {
            "allowed_algorithms": {{algorithms}}
            {{(jku is null ? "" : $", \"keys\": {{ \"sources\": {{ \"additional_jkus\": [ \"{(jku == "default" ? _server.JwksUri.AbsoluteUri : jku)}\" ] }} }}")}}
          }
        }
        """)!;

    private JwtValidationAction Create(JsonObject config)
    {
        var errors = new List<(string Path, string Message)>();
        JwtValidationAction? action = JwtValidationAction.Create(config, _http, _time, errors);
        Assert.Empty(errors);
        return action!;
    }

    private string Token(SecurityKey? key = null, string algorithm = "RS256", string? issuer = null, string audience = Audience, TimeSpan? expiresIn = null, TimeSpan? notBeforeIn = null)
    {
        DateTime now = _time.GetUtcNow().UtcDateTime;
        return JwksServer.Sign(key ?? _rsa, algorithm, new Dictionary<string, object> { ["sub"] = "user-1", ["email"] = "ada@example.test", ["scope"] = "read" },
            issuer ?? _server.Issuer, audience, now + (notBeforeIn ?? TimeSpan.FromMinutes(-1)), now + (expiresIn ?? TimeSpan.FromMinutes(5)));
    }

    private static DefaultHttpContext Request(string? bearer = null, string? query = null, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        if (bearer is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + bearer;
        }

        if (query is not null)
        {
            context.Request.QueryString = new QueryString("?" + query);
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = cookie;
        }

        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    private static async Task AssertRefusedAsync(JwtValidationAction action, DefaultHttpContext context, string code, string reason)
    {
        IdentityOutcome outcome = await action.ValidateAsync(context, TestContext.Current.CancellationToken);
        Assert.False(outcome.Continue);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal(code, context.Response.Headers["Burrow-Error-Code"]);
        Assert.Contains(reason, Body(context), StringComparison.Ordinal);
        if (code == "ERR_BURROW_3121")
        {
            Assert.StartsWith("Bearer realm=\"burrow\", error=\"invalid_token\"", context.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("Bearer realm=\"burrow\"", context.Response.Headers.WWWAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task ValidateAsync_ValidRsaToken_ContinuesWithClaims()
    {
        JwtValidationAction action = Create(Config());
        DefaultHttpContext context = Request(bearer: Token());

        IdentityOutcome outcome = await action.ValidateAsync(context, TestContext.Current.CancellationToken);

        Assert.True(outcome.Continue);
        var claims = (IReadOnlyDictionary<string, object?>)outcome.Variables["claims"]!;
        Assert.Equal("user-1", claims["sub"]);
        Assert.Equal("read", claims["scope"]);
        Assert.Equal("ada@example.test", ((IReadOnlyDictionary<string, object?>)outcome.Variables["identity"]!)["email"]);
        Assert.Equal(200, context.Response.StatusCode);
    }

    [Fact]
    public async Task ValidateAsync_ValidEcTokenKeysFromDiscovery_Continues()
    {
        JwtValidationAction action = Create(Config(jku: null));
        IdentityOutcome outcome = await action.ValidateAsync(Request(bearer: Token(_ec, "ES256")), TestContext.Current.CancellationToken);
        Assert.True(outcome.Continue);
    }

    [Fact]
    public async Task ValidateAsync_NoToken_401Missing() =>
        await AssertRefusedAsync(Create(Config()), Request(), "ERR_BURROW_3120", "header Authorization");

    [Fact]
    public async Task ValidateAsync_WrongIssuer_401() =>
        await AssertRefusedAsync(Create(Config()), Request(bearer: Token(issuer: "https://evil.example")), "ERR_BURROW_3121", "issuer 'https://evil.example' is not allowed");

    [Fact]
    public async Task ValidateAsync_WrongAudience_401() =>
        await AssertRefusedAsync(Create(Config()), Request(bearer: Token(audience: "api://other")), "ERR_BURROW_3121", "the audience is not allowed");

    [Fact]
    public async Task ValidateAsync_Expired_401() =>
        await AssertRefusedAsync(Create(Config()), Request(bearer: Token(expiresIn: TimeSpan.FromMinutes(-2), notBeforeIn: TimeSpan.FromMinutes(-10))), "ERR_BURROW_3121", "the token expired at");

    [Fact]
    public async Task ValidateAsync_ExpiresWhenTimeMoves_401()
    {
        JwtValidationAction action = Create(Config());
        string token = Token(expiresIn: TimeSpan.FromMinutes(5));
        Assert.True((await action.ValidateAsync(Request(bearer: token), TestContext.Current.CancellationToken)).Continue);
        _time.Advance(TimeSpan.FromMinutes(6));
        await AssertRefusedAsync(action, Request(bearer: token), "ERR_BURROW_3121", "the token expired at");
    }

    [Fact]
    public async Task ValidateAsync_NotYetValid_401() =>
        await AssertRefusedAsync(Create(Config()), Request(bearer: Token(notBeforeIn: TimeSpan.FromMinutes(10), expiresIn: TimeSpan.FromMinutes(20))), "ERR_BURROW_3121", "the token is not valid yet");

    [Fact]
    public async Task ValidateAsync_AlgorithmNotAllowed_401() =>
        await AssertRefusedAsync(Create(Config(algorithms: "[\"ES256\"]")), Request(bearer: Token()), "ERR_BURROW_3121", "algorithm RS256 is not allowed");

    [Fact]
    public async Task ValidateAsync_AlgNone_401()
    {
        string header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        string payload = Base64UrlEncoder.Encode($"{{\"iss\":\"{_server.Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"x\",\"exp\":{_time.GetUtcNow().ToUnixTimeSeconds() + 300}}}");
        await AssertRefusedAsync(Create(Config()), Request(bearer: header + "." + payload + "."), "ERR_BURROW_3121", "the token is not signed (alg none)");
    }

    [Fact]
    public async Task ValidateAsync_TamperedSignature_401()
    {
        string token = Token();
        string[] parts = token.Split('.');
        // A payload swapped for another keeps the old signature: the classic forgery.
        string forged = parts[0] + "." + Base64UrlEncoder.Encode($"{{\"iss\":\"{_server.Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"admin\",\"exp\":{_time.GetUtcNow().ToUnixTimeSeconds() + 300}}}") + "." + parts[2];
        await AssertRefusedAsync(Create(Config()), Request(bearer: forged), "ERR_BURROW_3121", "the signature is not valid");
    }

    [Fact]
    public async Task ValidateAsync_Garbage_401Malformed() =>
        await AssertRefusedAsync(Create(Config()), Request(bearer: "not-a-jwt"), "ERR_BURROW_3121", "not a well-formed JWT");

    [Fact]
    public async Task ValidateAsync_UnknownKidThenRotatedJwks_PassesAfterRateLimitedRefresh()
    {
        JwtValidationAction action = Create(Config());
        Assert.True((await action.ValidateAsync(Request(bearer: Token()), TestContext.Current.CancellationToken)).Continue);
        Assert.Equal(1, _server.JwksHits);

        RsaSecurityKey rotated = JwksServer.NewRsaKey("rsa-2");
        string token = Token(rotated);
        // Not published yet: refused (the refresh this triggers finds nothing new).
        _time.Advance(TimeSpan.FromSeconds(31));
        await AssertRefusedAsync(action, Request(bearer: token), "ERR_BURROW_3121", "no key with kid 'rsa-2'");
        Assert.Equal(2, _server.JwksHits);

        _server.Publish(_rsa, rotated);
        // Within the unknown-kid interval the cache is not refetched, so a flood of bogus kids costs the issuer nothing.
        for (int i = 0; i < 20; i++)
        {
            await AssertRefusedAsync(action, Request(bearer: Token(JwksServer.NewRsaKey("bogus-" + i))), "ERR_BURROW_3121", "no key with kid");
        }

        await AssertRefusedAsync(action, Request(bearer: token), "ERR_BURROW_3121", "no key with kid 'rsa-2'");
        Assert.Equal(2, _server.JwksHits);

        _time.Advance(SigningKeySource.UnknownKidRefreshInterval);
        Assert.True((await action.ValidateAsync(Request(bearer: token), TestContext.Current.CancellationToken)).Continue);
        Assert.Equal(3, _server.JwksHits);
        // The old key still verifies as long as it is published.
        Assert.True((await action.ValidateAsync(Request(bearer: Token()), TestContext.Current.CancellationToken)).Continue);
        Assert.Equal(3, _server.JwksHits);
    }

    [Fact]
    public async Task ValidateAsync_TokenInQueryOrCookie_PerConfig()
    {
        JwtValidationAction action = Create(Config(http: """{ "tokens": [ { "type": "jwt", "method": "query", "name": "access_token" }, { "type": "jwt", "method": "cookie", "name": "jwt" } ] }"""));
        string token = Token();
        Assert.True((await action.ValidateAsync(Request(query: "access_token=" + token), TestContext.Current.CancellationToken)).Continue);
        Assert.True((await action.ValidateAsync(Request(cookie: "other=1; jwt=" + token), TestContext.Current.CancellationToken)).Continue);
        // The header is not among the configured places.
        await AssertRefusedAsync(action, Request(bearer: token), "ERR_BURROW_3120", "query parameter access_token, cookie jwt");
    }

    [Fact]
    public async Task ValidateAsync_JwksUnreachable_502()
    {
        JwtValidationAction action = Create(Config(jku: "http://127.0.0.1:9/jwks.json"));
        DefaultHttpContext context = Request(bearer: Token());
        IdentityOutcome outcome = await action.ValidateAsync(context, TestContext.Current.CancellationToken);
        Assert.False(outcome.Continue);
        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("ERR_BURROW_3124", outcome.ErrorCode);
    }

    [Fact]
    public void Create_BadConfig_ErrorsCarryPaths()
    {
        var config = (JsonObject)JsonNode.Parse("""
            {
              "issuer": { "allow_list": [ { "value": "not a url" }, { "valu": "x" } ] },
              "http": { "tokens": [ { "method": "body", "name": "x" } ] },
              "jws": { "allowed_algorithms": ["RS256", "HS256"] },
              "extra": 1
            }
            """)!;
        var errors = new List<(string Path, string Message)>();

        Assert.Null(JwtValidationAction.Create(config, _http, _time, errors));

        string[] paths = [.. errors.Select(e => e.Path)];
        Assert.Contains("extra", paths);
        Assert.Contains("audience", paths);
        Assert.Contains("issuer.allow_list[1].valu", paths);
        Assert.Contains("issuer.allow_list[1].value", paths);
        Assert.Contains("issuer.allow_list[0].value", paths);
        Assert.Contains("http.tokens[0].method", paths);
        Assert.Contains("jws.allowed_algorithms[1]", paths);
    }
}
