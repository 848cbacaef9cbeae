using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Burrow.Edge.Tests.Policy.Identity;

/// <summary>
/// A token issuer on loopback (real Kestrel): it publishes a JWKS and an OpenID discovery document
/// naming it, and signs test tokens. <see cref="Publish"/> swaps the published keys, as a key rotation does.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile SecurityKey[] _published;
    private int _jwksHits;

    private JwksServer(WebApplication app, SecurityKey[] published)
    {
        _app = app;
        _published = published;
    }

    public string Issuer { get; private set; } = "";

    public Uri JwksUri => new(Issuer + "/jwks.json");

    public int JwksHits => Volatile.Read(ref _jwksHits);

    public static RsaSecurityKey NewRsaKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public static ECDsaSecurityKey NewEcKey(string kid) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid };

    public static async Task<JwksServer> StartAsync(params SecurityKey[] published)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new JwksServer(app, published);
        app.MapGet("/jwks.json", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._jwksHits);
            return Results.Text(server.JwksJson(), "application/json");
        });
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(
            JsonSerializer.Serialize(new Dictionary<string, object> { ["issuer"] = server.Issuer, ["jwks_uri"] = server.JwksUri.AbsoluteUri, ["authorization_endpoint"] = server.Issuer + "/auth", ["token_endpoint"] = server.Issuer + "/token" }),
            "application/json"));
        await app.StartAsync();
        server.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return server;
    }

    public void Publish(params SecurityKey[] keys) => _published = keys;

    public string JwksJson()
    {
        var keys = _published.Select(k => k switch
        {
            RsaSecurityKey rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.Rsa.ExportParameters(false)) { KeyId = rsa.KeyId }),
            ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ec.ECDsa.ExportParameters(false))) { KeyId = ec.KeyId }),
            _ => throw new NotSupportedException(),
        }).Select(jwk => new Dictionary<string, string?>
        {
            ["kty"] = jwk.Kty, ["kid"] = jwk.Kid, ["use"] = "sig", ["n"] = jwk.N, ["e"] = jwk.E, ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y,
        }.Where(p => p.Value is not null).ToDictionary());
        return JsonSerializer.Serialize(new { keys });
    }

    public static string Sign(SecurityKey key, string algorithm, IDictionary<string, object> claims, string? issuer, string? audience, DateTime? notBefore, DateTime? expires)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
