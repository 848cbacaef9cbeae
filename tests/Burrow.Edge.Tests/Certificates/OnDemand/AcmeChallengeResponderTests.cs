using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Burrow.Acme.Challenges;
using Burrow.Edge.Certificates;
using Burrow.Edge.Certificates.OnDemand;
using Burrow.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Edge.Tests.Certificates.OnDemand;

public sealed class AcmeChallengeResponderTests
{
    private static DefaultHttpContext Request(string path, string method = "GET", bool https = false, string host = "app.customer.test")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Host = new HostString(host);
        context.Request.IsHttps = https;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task Pending_token_is_answered_for_any_host_and_an_unknown_one_is_404_without_reaching_a_tunnel()
    {
        var responder = new AcmeChallengeResponder(share: null);
        await responder.Http01.PresentAsync("app.customer.test", "tok123", "tok123.thumb", CancellationToken.None);

        var known = Request("/.well-known/acme-challenge/tok123", host: "anything.example");
        await responder.TryAnswerHttp01(known)!;
        Assert.Equal(200, known.Response.StatusCode);
        Assert.Equal("tok123.thumb", Body(known));

        var unknown = Request("/.well-known/acme-challenge/other");
        await responder.TryAnswerHttp01(unknown)!;
        Assert.Equal(404, unknown.Response.StatusCode);
        Assert.Equal("", Body(unknown));

        await responder.Http01.CleanupAsync("app.customer.test", "tok123", "tok123.thumb", CancellationToken.None);
        var taken = Request("/.well-known/acme-challenge/tok123");
        await responder.TryAnswerHttp01(taken)!;
        Assert.Equal(404, taken.Response.StatusCode);
    }

    [Fact]
    public void Other_paths_and_https_requests_go_on_to_the_tunnels()
    {
        var responder = new AcmeChallengeResponder(share: null);

        Assert.Null(responder.TryAnswerHttp01(Request("/")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/security.txt")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/acme-challengeX/tok")));
        Assert.Null(responder.TryAnswerHttp01(Request("/.well-known/acme-challenge/tok", https: true)));
    }

    [Fact]
    public async Task An_answer_one_edge_presented_is_given_by_another_edge_on_the_same_store_until_it_is_withdrawn()
    {
        string dir = Directory.CreateTempSubdirectory("burrow-shared-challenges-").FullName;
        try
        {
            // Two edges' responders and DNS-01 solvers over one real control store (SQLite here; PostgreSQL in AcmeClusterTests).
            await using IControlStore store = await ControlStore.OpenAsync(new StoreOptions { DataDirectory = dir });
            var shareA = new StoredChallengeAnswers(() => store, TimeProvider.System, NullLogger.Instance);
            var shareB = new StoredChallengeAnswers(() => store, TimeProvider.System, NullLogger.Instance);
            var a = new AcmeChallengeResponder(shareA);
            var b = new AcmeChallengeResponder(shareB);
            var dnsA = new Dns01Challenges("tunnels.test", shareA);
            var dnsB = new Dns01Challenges("tunnels.test", shareB);
            const string token = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
            string keyAuthorization = token + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

            await a.Http01.PresentAsync("app.customer.test", token, keyAuthorization, CancellationToken.None);
            await a.TlsAlpn01.PresentAsync("app.customer.test", token, keyAuthorization, CancellationToken.None);
            await dnsA.PresentAsync("tunnels.test", token, keyAuthorization, CancellationToken.None);

            // B holds nothing itself, and answers all three from the store.
            Assert.False(b.Http01.TryAnswer(Http01Challenges.PathPrefix + token, out _));
            var asked = Request("/.well-known/acme-challenge/" + token, host: "app.customer.test");
            await b.TryAnswerHttp01(asked)!;
            Assert.Equal(200, asked.Response.StatusCode);
            Assert.Equal(keyAuthorization, Body(asked));

            var connection = new DefaultConnectionContext();
            connection.Items[AcmeChallengeResponder.OnlyAcmeTlsItem] = true;
            Assert.True(await b.IsValidationAsync(connection, "APP.customer.test"));
            var handshake = await b.ValidationHandshakeAsync(connection, "app.customer.test");
            Assert.NotNull(handshake);
            var extension = handshake.ServerCertificateContext!.TargetCertificate.Extensions[TlsAlpn01Challenges.AcmeIdentifierOid]!;
            Assert.True(extension.Critical);
            Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)), AsnDecoder.ReadOctetString(extension.RawData, AsnEncodingRules.DER, out _));
            Assert.Same(handshake.ServerCertificateContext, (await b.ValidationHandshakeAsync(connection, "app.customer.test"))!.ServerCertificateContext);
            // A hello that did not offer acme-tls/1 alone is never a validation.
            Assert.False(await b.IsValidationAsync(new DefaultConnectionContext(), "app.customer.test"));

            Assert.Empty(dnsB.TxtValues("_acme-challenge.tunnels.test"));
            Assert.Equal([Dns01Challenges.TxtValue(keyAuthorization)], await dnsB.TxtValuesAsync("_acme-challenge.tunnels.test.", CancellationToken.None));

            // A path that cannot be a token is not looked up, and is 404 like any unknown one.
            var scan = Request("/.well-known/acme-challenge/../../etc/passwd");
            await b.TryAnswerHttp01(scan)!;
            Assert.Equal(404, scan.Response.StatusCode);

            // Withdrawn by A: B answers none of them any more.
            await a.Http01.CleanupAsync("app.customer.test", token, keyAuthorization, CancellationToken.None);
            await a.TlsAlpn01.CleanupAsync("app.customer.test", token, keyAuthorization, CancellationToken.None);
            await dnsA.CleanupAsync("tunnels.test", token, keyAuthorization, CancellationToken.None);
            var after = Request("/.well-known/acme-challenge/" + token);
            await b.TryAnswerHttp01(after)!;
            Assert.Equal(404, after.Response.StatusCode);
            Assert.False(await b.IsValidationAsync(connection, "app.customer.test"));
            Assert.Empty(await dnsB.TxtValuesAsync("_acme-challenge.tunnels.test", CancellationToken.None));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
