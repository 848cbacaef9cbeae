using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Edge.Policy.Webhooks;
using Burrow.Edge.Tests.Policy.Webhooks;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// <c>verify-webhook</c> for every provider through the real executable: one tunnel whose rules pick the provider by
/// path (<c>/hook/{provider}</c>), each delivery signed as the provider's docs say (the unit tests' signers), sent with
/// curl or HttpClient. Signed → the upstream gets the very bytes; another secret or a changed payload → 403 3103.
/// </summary>
public sealed class WebhookProviderTests(WebhookTunnelFixture fixture) : IClassFixture<WebhookTunnelFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every provider, every other one sent with curl, the rest with HttpClient.</summary>
    public static TheoryData<string, bool> Providers()
    {
        var data = new TheoryData<string, bool>();
        int i = 0;
        foreach (WebhookSigner signer in WebhookTunnelFixture.Signers)
        {
            data.Add(signer.Name, i++ % 2 == 0);
        }

        return data;
    }

    [Fact(Timeout = 10_000)]
    public void Every_provider_the_edge_knows_and_the_generic_hmac_have_a_row_here()
    {
        string[] expected = [.. WebhookProviders.Names, "hmac"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), WebhookTunnelFixture.Signers.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Providers))]
    public async Task Signed_delivery_reaches_the_upstream_byte_for_byte_and_a_wrong_secret_or_changed_payload_gets_403(string provider, bool curl)
    {
        WebhookSigner signer = WebhookTunnelFixture.Signers.Single(s => s.Name == provider);
        // Square and Twilio sign the URL the provider called: the public one, port and query included.
        var url = new Uri($"{fixture.Agent.HttpsUrl.GetLeftPart(UriPartial.Authority)}/hook/{provider}?source=e2e");

        SignedDelivery signed = signer.Sign(signer.Secret, DateTimeOffset.UtcNow, url);
        Reply ok = await SendAsync(curl, url, signed.Body, signed.Headers);
        byte[] bytes = Encoding.UTF8.GetBytes(signed.Body);
        Assert.True(ok.Status == 200, $"{provider}: {ok.Status} {ok.Body}");
        Assert.Equal($"{bytes.Length} {Convert.ToHexStringLower(SHA256.HashData(bytes))}", ok.Body);

        SignedDelivery forged = signer.Sign(signer.OtherSecret, DateTimeOffset.UtcNow, url);
        Reply wrong = await SendAsync(curl, url, forged.Body, forged.Headers);
        Assert.True(wrong.Status == 403, $"{provider} with another secret: {wrong.Status} {wrong.Body}");
        Assert.Equal("ERR_BURROW_3103", wrong.Code);

        string changed = signer.Tamper(signed.Body);
        Assert.NotEqual(signed.Body, changed);
        Reply tampered = await SendAsync(curl, url, changed, signed.Headers);
        Assert.True(tampered.Status == 403, $"{provider} with a changed payload: {tampered.Status} {tampered.Body}");
        Assert.Equal("ERR_BURROW_3103", tampered.Code);
        Assert.Contains(provider == "hmac" ? "generic" : provider, tampered.Body, StringComparison.Ordinal);
    }

    /// <summary>The providers whose signature covers a timestamp, every other one sent with curl.</summary>
    public static TheoryData<string, bool> TimestampedProviders()
    {
        var data = new TheoryData<string, bool>();
        int i = 0;
        foreach (WebhookSigner signer in WebhookTunnelFixture.Signers.Where(s => s.Timestamped))
        {
            data.Add(signer.Name, i++ % 2 == 0);
        }

        return data;
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(TimestampedProviders))]
    public async Task A_correctly_signed_delivery_replayed_an_hour_later_is_refused_with_403(string provider, bool curl)
    {
        WebhookSigner signer = WebhookTunnelFixture.Signers.Single(s => s.Name == provider);
        var url = new Uri($"{fixture.Agent.HttpsUrl.GetLeftPart(UriPartial.Authority)}/hook/{provider}?source=e2e");

        // Signed with the right secret, over the very body; only its timestamp is outside every provider's window.
        SignedDelivery replayed = signer.Sign(signer.Secret, DateTimeOffset.UtcNow.AddHours(-1), url);
        Reply stale = await SendAsync(curl, url, replayed.Body, replayed.Headers);

        Assert.True(stale.Status == 403, $"{provider} an hour old: {stale.Status} {stale.Body}");
        Assert.Equal("ERR_BURROW_3103", stale.Code);
        Assert.Contains("outside the", stale.Body, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_delivery_past_max_body_size_gets_413_whether_its_length_is_declared_or_chunked_and_never_reaches_the_upstream(bool chunked)
    {
        var url = new Uri($"{fixture.Agent.HttpsUrl.GetLeftPart(UriPartial.Authority)}/small/github");
        WebhookSigner github = WebhookSigners.Get("github");
        string marker = Guid.NewGuid().ToString("n");
        string small = $$"""{"marker":"{{marker}}-small"}""";
        string big = $$"""{"marker":"{{marker}}-big","pad":"{{new string('x', 4 * WebhookTunnelFixture.SmallLimit)}}"}""";

        // Within the limit, signed: through, recorded once.
        Reply ok = await CurlAsync(url, small, GitHubHeaders(github.Secret, small), chunked);
        Assert.True(ok.Status == 200, $"within the limit: {ok.Status} {ok.Body}");

        // Past it, correctly signed all the same: refused before any byte is handed on.
        Reply tooBig = await CurlAsync(url, big, GitHubHeaders(github.Secret, big), chunked);
        Assert.True(tooBig.Status == 413, $"{big.Length} bytes ({(chunked ? "chunked" : "Content-Length")}): {tooBig.Status} {tooBig.Body}");
        Assert.Equal("ERR_BURROW_3104", tooBig.Code);
        Assert.Contains(fixture.Upstream.Recorded, r => r.Contains(marker + "-small", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Upstream.Recorded, r => r.Contains(marker + "-big", StringComparison.Ordinal));
    }

    private static (string Name, string Value)[] GitHubHeaders(string secret, string body) =>
        [("X-Hub-Signature-256", "sha256=" + WebhookSigners.HexSha256(secret, body)), ("X-GitHub-Event", "push")];

    private async Task<Reply> CurlAsync(Uri url, string body, (string Name, string Value)[] headers, bool chunked)
    {
        string file = Path.Combine(fixture.TempPath, Guid.NewGuid().ToString("n"));
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(body), Ct);
        List<string> args = ["--data-binary", "@" + file, "-H", "Content-Type: application/json"];
        if (chunked)
        {
            args.AddRange(["-H", "Transfer-Encoding: chunked"]);
        }

        foreach ((string name, string value) in headers)
        {
            args.AddRange(["-H", $"{name}: {value}"]);
        }

        CurlReply reply = await CurlReply.RunAsync(fixture.Edge.CaPath, [.. args, url.OriginalString]);
        Assert.True(reply.ExitCode == 0, $"curl exited {reply.ExitCode}: {reply.Stderr}");
        return new Reply(reply.Status, reply.Text, reply.Headers);
    }

    [Fact(Timeout = 60_000)]
    public async Task Zoom_url_validation_is_answered_at_the_edge_once_signed_and_refused_unsigned()
    {
        const string plainToken = "qgg8vlvZRS6UYooatFL8Aw";
        string challenge = $$"""{"payload":{"plainToken":"{{plainToken}}"},"event_ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"event":"endpoint.url_validation"}""";
        var url = new Uri($"{fixture.Agent.HttpsUrl.GetLeftPart(UriPartial.Authority)}/hook/zoom");
        string secret = WebhookSigners.Get("zoom").Secret;

        Reply answered = await SendAsync(
            curl: true, url, challenge, WebhookSigners.V0Headers("x-zm-signature", "x-zm-request-timestamp", secret, DateTimeOffset.UtcNow, challenge));

        Assert.Equal(200, answered.Status);
        Assert.StartsWith("application/json", answered.Headers["Content-Type"], StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(answered.Body);
        Assert.Equal(plainToken, json.RootElement.GetProperty("plainToken").GetString());
        Assert.Equal(WebhookSigners.HexSha256(secret, plainToken), json.RootElement.GetProperty("encryptedToken").GetString());

        // Unsigned, the answer would be an HMAC of anything anyone sends: refused like any unsigned delivery.
        Reply unsigned = await SendAsync(curl: true, url, challenge, []);
        Assert.Equal(403, unsigned.Status);
        Assert.Equal("ERR_BURROW_3103", unsigned.Code);
    }

    private sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Code => Headers.TryGetValue("Burrow-Error-Code", out string? code) ? code : null;
    }

    private async Task<Reply> SendAsync(bool curl, Uri url, string body, (string Name, string Value)[] headers)
    {
        bool typed = headers.Any(h => h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase));
        if (curl)
        {
            string file = Path.Combine(fixture.TempPath, Guid.NewGuid().ToString("n"));
            await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes(body), Ct);
            List<string> args = ["--data-binary", "@" + file];
            foreach ((string name, string value) in typed ? headers : [.. headers, ("Content-Type", "application/json")])
            {
                args.AddRange(["-H", $"{name}: {value}"]);
            }

            CurlReply reply = await CurlReply.RunAsync(fixture.Edge.CaPath, [.. args, url.OriginalString]);
            Assert.True(reply.ExitCode == 0, $"curl exited {reply.ExitCode}: {reply.Stderr}");
            return new Reply(reply.Status, reply.Text, reply.Headers);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        foreach ((string name, string value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.Remove("Content-Type");
                request.Content.Headers.TryAddWithoutValidation("Content-Type", value);
            }
            else
            {
                Assert.True(request.Headers.TryAddWithoutValidation(name, value), name);
            }
        }

        using HttpResponseMessage response = await fixture.Client.SendAsync(request, Ct);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            seen[header.Key] = string.Join(", ", header.Value);
        }

        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct), seen);
    }
}

/// <summary>The policy edge with one agent whose rules verify each provider's deliveries on <c>/hook/{provider}</c>, then send them to the upstream's <c>/echo-hash</c>.</summary>
public sealed class WebhookTunnelFixture : PolicyEdgeFixture
{
    /// <summary>The generic provider, as configured below: base64 HMAC-SHA512 of <c>{timestamp}.{body}</c> after a prefix.</summary>
    private static readonly WebhookSigner GenericHmac = new(
        "hmac", "generic-hmac-secret", "generic-hmac-other",
        (secret, at, _) => new SignedDelivery(WebhookSigners.Body, [
            ("X-Timestamp", WebhookSigners.Seconds(at)),
            ("X-Signature", "sha512=" + Convert.ToBase64String(
                WebhookSigners.Hmac(HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(secret), $"{WebhookSigners.Seconds(at)}.{WebhookSigners.Body}"))),
        ]),
        WebhookSigners.TamperBody,
        Timestamped: true);

    internal static IReadOnlyList<WebhookSigner> Signers { get; } = [.. WebhookSigners.All, GenericHmac];

    /// <summary>The <c>max_body_size</c> of the <c>/small/github</c> rule.</summary>
    internal const int SmallLimit = 1024;

    public AgentRun Agent { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var policy = new StringBuilder("on_http_request:\n");
        foreach (WebhookSigner signer in Signers)
        {
            string extra = signer.Name == "hmac"
                ? ", header: X-Signature, algorithm: sha512, encoding: base64, prefix: \"sha512=\", timestamp_header: X-Timestamp"
                : "";
            policy.Append($$"""
                  - name: {{signer.Name}}
                    expressions: ["req.url.path == '/hook/{{signer.Name}}'"]
                    actions:
                      - type: verify-webhook
                        config: {provider: {{signer.Name}}, secret: {{JsonSerializer.Serialize(signer.Secret)}}{{extra}}}

                """);
        }

        // A small body limit on GitHub's verification, for deliveries past it; what passes is recorded by the upstream.
        policy.Append($$"""
              - name: small
                expressions: ["req.url.path == '/small/github'"]
                actions:
                  - type: verify-webhook
                    config: {provider: github, secret: {{JsonSerializer.Serialize(WebhookSigners.Get("github").Secret)}}, max_body_size: {{SmallLimit}}}
                  - type: url-rewrite
                    config: {from: "/small/github", to: "/record/small"}

            """);
        policy.Append("""
              - expressions: ["req.url.path.startsWith('/hook/')"]
                actions:
                  - type: url-rewrite
                    config: {from: "/hook/[a-z_]+", to: "/echo-hash"}

            """);
        Agent = await StartAgentAsync(policy.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
