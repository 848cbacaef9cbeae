using System.Net;
using System.Text.Json;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;

namespace Burrow.Edge.Tests.Admin;

[Collection(PostgresGroup.Name)]
public sealed class AdminCertificatesTests(PostgresServer postgres)
{
    public static TheoryData<StoreKind> Kinds => new(StoreKind.Sqlite, StoreKind.Postgres);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Certificates_are_listed_with_their_state_last_error_and_next_attempt_and_no_key(StoreKind kind)
    {
        await using var admin = await AdminEdge.StartAsync(kind, postgres);
        Assert.Equal("[]", (await admin.Client.GetStringAsync("api/v1/certificates", Ct)).Replace(" ", "", StringComparison.Ordinal));

        DateTimeOffset now = DateTimeOffset.UtcNow;
        await admin.Store.RecordCertificateAttemptAsync(["pending.test"], "https://ca.test/dir", "ERR_BURROW_5203: no TXT record", now.AddSeconds(15), Ct);
        await admin.Store.SaveCertificateAsync(Stored(["*.tunnel.test", "tunnel.test"], now), Ct);
        await admin.Store.SaveCertificateAsync(Stored(["failing.test"], now), Ct);
        await admin.Store.RecordCertificateAttemptAsync(["failing.test"], null, "ERR_BURROW_5204: The ACME server at https://ca.test/dir could not be used: connection refused.", now.AddMinutes(1), Ct);

        using HttpResponseMessage response = await admin.Client.GetAsync("api/v1/certificates", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("PRIVATE KEY", body, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(body);
        var byName = json.RootElement.EnumerateArray().ToDictionary(c => string.Join(",", c.GetProperty("names").EnumerateArray().Select(n => n.GetString())));
        Assert.Equal(["*.tunnel.test,tunnel.test", "failing.test", "pending.test"], byName.Keys.Order(StringComparer.Ordinal));

        JsonElement valid = byName["*.tunnel.test,tunnel.test"];
        Assert.Equal("valid", valid.GetProperty("state").GetString());
        Assert.Equal("CN=Test CA", valid.GetProperty("issuer").GetString());
        Assert.Equal(JsonValueKind.Null, valid.GetProperty("last_error").ValueKind);
        Assert.Equal("acme", valid.GetProperty("source").GetString());

        JsonElement failing = byName["failing.test"];
        Assert.Equal("renewal-failing", failing.GetProperty("state").GetString());
        Assert.StartsWith("ERR_BURROW_5204", failing.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.True(failing.GetProperty("next_attempt").GetDateTimeOffset() > now);

        JsonElement pending = byName["pending.test"];
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("not_after").ValueKind);
        Assert.StartsWith("ERR_BURROW_5203", pending.GetProperty("last_error").GetString(), StringComparison.Ordinal);
    }

    private static NewCertificate Stored(string[] names, DateTimeOffset now) => new()
    {
        Names = names,
        DirectoryUrl = "https://ca.test/dir",
        Issuer = "CN=Test CA",
        Serial = "01",
        NotBefore = now.AddDays(-1),
        NotAfter = now.AddDays(89),
        ChainPem = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        KeyPem = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        NextAttempt = now.AddDays(59),
    };
}
