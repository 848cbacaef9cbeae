using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Burrow.EndToEnd.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// <c>jwt-validation</c> through the real executable: the edge fetches the keys from a JWKS endpoint on loopback (a
/// small Kestrel app of the test's own), tokens are made with Microsoft.IdentityModel, and a later rule reads the
/// token's claims from <c>actions.ngrok.jwt_validation</c>.
/// </summary>
public sealed class JwtValidationTests(JwtFixture fixture) : IClassFixture<JwtFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Valid_token_is_served_and_its_claims_are_variables_for_the_rules_after_it()
    {
        string token = fixture.Token();

        CurlReply reply = await CurlReply.RunAsync(fixture.Edge.CaPath, ["-H", "Authorization: Bearer " + token, Url("/headers")]);

        Assert.Equal(200, reply.Status);
        Dictionary<string, string> seen = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reply.Body)!;
        Assert.Equal("ada", seen["x-jwt-sub"]);
        Assert.Equal("ada@example.test", seen["x-jwt-email"]);
        Assert.Equal("admin", seen["x-jwt-role"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_rule_can_deny_by_a_claim_after_the_token_is_accepted()
    {
        using HttpResponseMessage reader = await GetAsync("/admin/panel", fixture.Token(role: "reader"));
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
        Assert.Equal("ERR_BURROW_3101", Code(reader));

        using HttpResponseMessage admin = await GetAsync("/hello", fixture.Token(role: "admin"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Missing_token_gets_401_3120_with_a_bearer_challenge()
    {
        CurlReply reply = await CurlReply.RunAsync(fixture.Edge.CaPath, [Url("/hello")]);

        Assert.Equal(401, reply.Status);
        Assert.Equal("ERR_BURROW_3120", reply.Headers["Burrow-Error-Code"]);
        Assert.Equal("Bearer realm=\"burrow\"", reply.Headers["WWW-Authenticate"]);
        Assert.DoesNotContain("hello from upstream", reply.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string> Refused => ["expired", "wrong-audience", "wrong-issuer", "unknown-key", "not-yet-valid", "garbage"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Refused))]
    public async Task Refused_token_gets_401_3121_with_an_invalid_token_challenge(string kind)
    {
        DateTime now = DateTime.UtcNow;
        string token = kind switch
        {
            "expired" => fixture.Token(notBefore: now.AddHours(-2), expires: now.AddHours(-1)),
            "wrong-audience" => fixture.Token(audience: "api://someone-else"),
            "wrong-issuer" => fixture.Token(issuer: "https://issuer.elsewhere.test"),
            "unknown-key" => fixture.Token(key: fixture.StrangerKey),
            "not-yet-valid" => fixture.Token(notBefore: now.AddHours(1), expires: now.AddHours(2)),
            _ => "not.a.jwt",
        };

        using HttpResponseMessage response = await GetAsync("/hello", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("ERR_BURROW_3121", Code(response));
        Assert.StartsWith("Bearer realm=\"burrow\", error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hello from upstream", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private string Url(string path) => new Uri(fixture.Agent.HttpsUrl, path).ToString();

    private static string Code(HttpResponseMessage response) => response.Headers.GetValues("Burrow-Error-Code").Single();

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await fixture.Client.SendAsync(request, Ct);
    }
}

/// <summary>The policy edge, a JWKS endpoint on loopback with the issuer's RSA key, and one agent validating tokens with it.</summary>
public sealed class JwtFixture : PolicyEdgeFixture
{
    public const string Issuer = "https://issuer.e2e.test";
    public const string Audience = "api://burrow-e2e";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _strangerRsa = RSA.Create(2048);
    private WebApplication? _jwks;

    public RsaSecurityKey IssuerKey { get; private set; } = null!;

    /// <summary>A key the JWKS does not publish, with a kid of its own.</summary>
    public RsaSecurityKey StrangerKey { get; private set; } = null!;

    public AgentRun Agent { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        IssuerKey = new RsaSecurityKey(_rsa) { KeyId = "issuer-key-1" };
        StrangerKey = new RsaSecurityKey(_strangerRsa) { KeyId = "stranger-key" };
        RSAParameters published = _rsa.ExportParameters(includePrivateParameters: false);
        string jwks = System.Text.Json.JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = IssuerKey.KeyId, n = Base64UrlEncoder.Encode(published.Modulus), e = Base64UrlEncoder.Encode(published.Exponent) },
            },
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _jwks = builder.Build();
        _jwks.MapGet("/jwks.json", () => Results.Text(jwks, "application/json"));
        await _jwks.StartAsync();
        string jwksUrl = _jwks.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/jwks.json";

        Agent = await StartAgentAsync($$$"""
            on_http_request:
              - actions:
                  - type: jwt-validation
                    config:
                      issuer: {allow_list: [{value: "{{{Issuer}}}"}]}
                      audience: {allow_list: [{value: "{{{Audience}}}"}]}
                      jws:
                        allowed_algorithms: [RS256]
                        keys: {sources: {additional_jkus: ["{{{jwksUrl}}}"]}}
              - name: admins-only
                expressions: ["req.url.path.startsWith('/admin') && actions.ngrok.jwt_validation.claims.role != 'admin'"]
                actions: [{type: deny}]
              - actions:
                  - type: add-headers
                    config:
                      headers:
                        x-jwt-sub: "${actions.ngrok.jwt_validation.identity.sub}"
                        x-jwt-email: "${actions.ngrok.jwt_validation.identity.email}"
                        x-jwt-role: "${actions.ngrok.jwt_validation.claims.role}"
            """);
    }

    /// <summary>A token signed with RS256, valid now for the allowed issuer and audience unless told otherwise.</summary>
    public string Token(
        string issuer = Issuer, string audience = Audience, string role = "admin", SecurityKey? key = null, DateTime? notBefore = null, DateTime? expires = null)
    {
        DateTime now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now.AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", "ada"), new Claim("email", "ada@example.test"), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(key ?? IssuerKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        if (_jwks is not null)
        {
            await _jwks.DisposeAsync();
        }

        _rsa.Dispose();
        _strangerRsa.Dispose();
        await base.DisposeAsync();
    }
}
