using System.Globalization;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.PublicTls;

/// <summary>
/// The edge staples OCSP for a certificate whose CA runs a responder: <c>burrow server --tls-cert</c> with a leaf whose
/// AIA names an <c>openssl ocsp</c> responder on loopback, checked with <c>openssl s_client -status</c>.
/// </summary>
public sealed class OcspStaplingTests
{
    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact(Timeout = 120_000)]
    public async Task A_certificate_naming_an_ocsp_responder_is_served_with_its_response_stapled()
    {
        using var dir = new TempDirectory();
        await using var ca = new OcspTestCa(dir.Path);
        var (crt, key) = ca.IssueServer("burrow.test", "*.burrow.test");
        await ca.StartResponderAsync();
        await using var edge = await EdgeRun.StartAsync(extra: ["--domain", "burrow.test", "--tls-cert", crt, "--tls-key", key]);

        string text = await StapledHandshakeAsync(edge.HttpsPort, ca.CaPath, "x.burrow.test");
        Assert.True(text.Contains("OCSP Response Status: successful", StringComparison.Ordinal), $"{text}\nresponder:\n{ca.ResponderOutput}\nedge:\n{edge.Process.Output}");
        Assert.Contains("Cert Status: good", text, StringComparison.Ordinal);
        Assert.Contains("Verify return code: 0 (ok)", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>openssl s_client -status</c> until a response is stapled (or 30 s pass): .NET fetches it in the background from
    /// the moment the certificate is loaded, and handshakes before it arrives go out without one.
    /// </summary>
    internal static async Task<string> StapledHandshakeAsync(int port, string caPath, string host)
    {
        string text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            var (exit, stdout, stderr) = await Tool.RunAsync(
                "openssl", ["s_client", "-connect", $"127.0.0.1:{I(port)}", "-servername", host, "-status", "-CAfile", caPath, "-verify_return_error"],
                stdin: "", timeout: TimeSpan.FromSeconds(30));
            text = $"exit {I(exit)}\n{stdout}\n{stderr}";
            if (stdout.Contains("OCSP Response Status: successful", StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Delay(300);
        }
        while (DateTime.UtcNow < deadline);

        return text;
    }
}
