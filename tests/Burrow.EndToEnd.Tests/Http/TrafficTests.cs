using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Http;

/// <summary>Requests and bodies through a real edge and agent, with curl and HttpClient.</summary>
public sealed class TrafficTests(TunnelFixture fixture) : IClassFixture<TunnelFixture>
{
    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 30_000)]
    public async Task Get_through_the_tunnel_answers_with_curl_and_HttpClient()
    {
        string body = await fixture.Client.GetStringAsync(new Uri(fixture.Agent.HttpsUrl, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("hello from upstream", body);

        var (exit, stdout, stderr) = await Curl.RunAsync(["--cacert", fixture.Edge.CaPath, new Uri(fixture.Agent.HttpsUrl, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", stdout);

        (exit, stdout, stderr) = await Curl.RunAsync([new Uri(fixture.Agent.HttpUrl!, "/hello").ToString()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from upstream", stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task Random_hostname_is_a_readable_subdomain_of_the_base_domain()
    {
        Assert.Matches(@"^[a-z]+-[a-z]+-[a-z2-9]{8}\.localhost$", fixture.Agent.HttpsUrl.Host);
        Assert.Equal(fixture.Edge.HttpsPort, fixture.Agent.HttpsUrl.Port);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(0)]
    [InlineData(1024 * 1024)]
    [InlineData(100 * 1024 * 1024)]
    public async Task Post_body_arrives_whole_with_HttpClient(long length)
    {
        using var content = new StreamContent(new PatternStream(length));
        content.Headers.ContentLength = length;
        using var response = await fixture.Client.PostAsync(new Uri(fixture.Agent.HttpsUrl, "/echo-hash"), content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{I(length)} {Upstream.ExpectedHash(length)}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(0)]
    [InlineData(1024 * 1024)]
    [InlineData(100 * 1024 * 1024)]
    public async Task Post_body_arrives_whole_with_curl(long length)
    {
        using var temp = new TempDirectory();
        string file = Path.Combine(temp.Path, "body.bin");
        await using (var output = File.Create(file))
        {
            await new PatternStream(length).CopyToAsync(output, TestContext.Current.CancellationToken);
        }

        var (exit, stdout, stderr) = await Curl.RunAsync(
            ["--cacert", fixture.Edge.CaPath, "--data-binary", "@" + file, "-H", "Content-Type: application/octet-stream", new Uri(fixture.Agent.HttpsUrl, "/echo-hash").ToString()],
            TimeSpan.FromSeconds(100));
        Assert.True(exit == 0, stderr);
        Assert.Equal($"{I(length)} {Upstream.ExpectedHash(length)}", stdout);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(0)]
    [InlineData(1024 * 1024)]
    [InlineData(100 * 1024 * 1024)]
    public async Task Download_arrives_whole(long length)
    {
        using var response = await fixture.Client.GetAsync(new Uri(fixture.Agent.HttpsUrl, $"/bytes/{I(length)}"), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using Stream body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        byte[] hash = await SHA256.HashDataAsync(body, TestContext.Current.CancellationToken);
        Assert.Equal(Upstream.ExpectedHash(length), Convert.ToHexStringLower(hash));

        var (exit, stdout, stderr) = await Curl.RunAsync(
            ["--cacert", fixture.Edge.CaPath, "-o", "/dev/null", "-w", "%{size_download} %{http_code}", new Uri(fixture.Agent.HttpsUrl, $"/bytes/{I(length)}").ToString()],
            TimeSpan.FromSeconds(100));
        Assert.True(exit == 0, stderr);
        Assert.Equal($"{I(length)} 200", stdout);
    }

    [Fact(Timeout = 30_000)]
    public async Task File_url_serves_a_directory()
    {
        using var site = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(site.Path, "index.html"), "<h1>static site</h1>", TestContext.Current.CancellationToken);
        await using var agent = await fixture.StartAgentAsync([new Uri(site.Path).AbsoluteUri]);

        Assert.Equal("<h1>static site</h1>", await fixture.Client.GetStringAsync(new Uri(agent.HttpsUrl, "/index.html"), TestContext.Current.CancellationToken));
        Assert.Equal("<h1>static site</h1>", await fixture.Client.GetStringAsync(new Uri(agent.HttpsUrl, "/"), TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 30_000)]
    public async Task Https_upstream_is_verified_unless_told_otherwise()
    {
        string upstream = $"https://localhost:{I(fixture.Upstream.TlsPort)}";
        await using var verifying = await fixture.StartAgentAsync([upstream]);
        using var refused = await fixture.Client.GetAsync(new Uri(verifying.HttpsUrl, "/hello"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Equal("ERR_BURROW_3002", refused.Headers.GetValues("Burrow-Error-Code").Single());
        Assert.Contains("TLS handshake failed", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        await using var relaxed = await fixture.StartAgentAsync([upstream, "--upstream-tls-verify=false"]);
        Assert.Equal("hello from upstream", await fixture.Client.GetStringAsync(new Uri(relaxed.HttpsUrl, "/hello"), TestContext.Current.CancellationToken));
    }

    /// <summary>A read-only stream of <see cref="Upstream.Fill"/>'s bytes, so large bodies need no memory.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int count = (int)Math.Min(buffer.Length, length - _position);
            Upstream.Fill(buffer[..count], _position);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
