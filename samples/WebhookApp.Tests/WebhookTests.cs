using System.Net;
using System.Net.Http.Json;
using Burrow.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace WebhookApp.Tests;

/// <summary>The app under test reached at a public URL, as a webhook provider would reach it: Burrow.Testing and nothing else.</summary>
public sealed class WebhookTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task A_webhook_posted_to_the_public_url_lands_in_the_inbox()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using BurrowTestTunnel tunnel = await factory.StartBurrowTunnelAsync(cancellationToken: ct);

        Assert.Equal("https", tunnel.Url.Scheme);
        using HttpClient provider = tunnel.CreateClient();
        HttpResponseMessage posted = await provider.PostAsJsonAsync("/webhooks/orders", new { id = 42, status = "paid" }, ct);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        ReceivedWebhook[]? inbox = await provider.GetFromJsonAsync<ReceivedWebhook[]>("/webhooks", ct);
        ReceivedWebhook received = Assert.Single(inbox!);
        Assert.Equal("orders", received.Source);
        Assert.Equal("""{"id":42,"status":"paid"}""", received.Body);
        Assert.Equal(tunnel.Url.ToString(), await provider.GetStringAsync("/public-url", ct));
    }

    [Fact]
    public async Task Basic_auth_set_on_the_tunnel_is_enforced_at_the_edge()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using BurrowTestTunnel tunnel = await factory.StartBurrowTunnelAsync(o => o.BasicAuth.Add("hook:s3cret-pass"), ct);
        using HttpClient provider = tunnel.CreateClient();

        using var anonymous = new StringContent("{}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await provider.PostAsync("/webhooks/anyone", anonymous, ct)).StatusCode);
        using var signed = new HttpRequestMessage(HttpMethod.Post, "/webhooks/signed") { Content = new StringContent("{}") };
        signed.Headers.Authorization = new("Basic", Convert.ToBase64String("hook:s3cret-pass"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Accepted, (await provider.SendAsync(signed, ct)).StatusCode);
    }
}
