using Burrow.Acme.Challenges;

namespace Burrow.Acme.Tests.Challenges;

public sealed class TsigKeyTests
{
    private const string Secret = "4xfEsnbr32nzTR1UK4kdjejZuI5S6xJt4PrYSy8+uLU=";

    [Theory]
    [InlineData("burrow-acme:hmac-sha256:" + Secret, "hmac-sha256")]
    [InlineData("burrow-acme:HMAC-SHA512:" + Secret, "hmac-sha512")]
    [InlineData("burrow-acme:hmac-sha1:" + Secret, "hmac-sha1")]
    [InlineData("burrow-acme:" + Secret, "hmac-sha256")]
    [InlineData("hmac-sha512:burrow-acme:" + Secret, "hmac-sha512")]
    public void Flag_forms_parse_name_algorithm_and_secret(string text, string algorithm)
    {
        Assert.True(TsigKey.TryParse(text, "--acme-dns-tsig", out TsigKey key, out string error), error);
        Assert.Equal("burrow-acme", key.Name);
        Assert.Equal(algorithm, key.Algorithm);
        Assert.Equal(Convert.FromBase64String(Secret), key.Secret);
        Assert.DoesNotContain(Secret, key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("burrow-acme", "not NAME:ALGORITHM:SECRET")]
    [InlineData("burrow-acme:hmac-md5:" + Secret, "hmac-md5")]
    [InlineData("burrow-acme:hmac-sha256:not base64!", "not base64")]
    [InlineData(":hmac-sha256:" + Secret, "no usable key name")]
    public void Bad_flag_values_are_5209_with_what_is_wrong(string text, string expected)
    {
        Assert.False(TsigKey.TryParse(text, "--acme-dns-tsig", out _, out string error));
        Assert.StartsWith("ERR_BURROW_5209", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_clause_tsig_keygen_prints_parses_with_comments_around_it()
    {
        string file = $$"""
            # made with tsig-keygen burrow-acme
            // for the tunnel zone
            key "burrow-acme" {
            	algorithm hmac-sha512; /* not the default */
            	secret "{{Secret}}";
            };
            """;
        Assert.True(TsigKeyFile.TryParse(file, "k.conf", out TsigKey key, out string error), error);
        Assert.Equal(("burrow-acme", "hmac-sha512"), (key.Name, key.Algorithm));
        Assert.Equal(Convert.FromBase64String(Secret), key.Secret);
    }

    [Theory]
    [InlineData("AB//CD//////EF8=")] // "//" inside base64: about one tsig-keygen secret in 100 holds it
    [InlineData("//8=")]
    public void A_secret_holding_comment_marks_is_read_whole(string secret)
    {
        string file = $$"""
            key "burrow-acme" {
            	algorithm hmac-sha256; // the default
            	secret "{{secret}}";
            };
            """;
        Assert.True(TsigKeyFile.TryParse(file, "k.conf", out TsigKey key, out string error), error);
        Assert.Equal(Convert.FromBase64String(secret), key.Secret);
    }

    [Theory]
    [InlineData("options { };", "holds no key clause")]
    [InlineData("key \"a\" { algorithm hmac-sha256; secret \"" + Secret + "\"; }; key \"b\" { algorithm hmac-sha256; secret \"" + Secret + "\"; };", "holds 2 keys")]
    [InlineData("key \"a\" { algorithm hmac-sha256; };", "has no secret")]
    public void Key_files_that_cannot_be_used_are_5209(string file, string expected)
    {
        Assert.False(TsigKeyFile.TryParse(file, "k.conf", out _, out string error));
        Assert.StartsWith("ERR_BURROW_5209", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ns1.example.com:5353", "ns1.example.com", 5353)]
    [InlineData("192.0.2.1", "192.0.2.1", 53)]
    [InlineData("[2001:db8::1]:54", "2001:db8::1", 54)]
    [InlineData("2001:db8::1", "2001:db8::1", 53)]
    public void Server_addresses_parse(string text, string host, int port)
    {
        Assert.True(DnsUpdateOptions.TryParseServer(text, out string h, out int p, out string error), error);
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("ns1.example.com:0")]
    [InlineData("ns1.example.com:http")]
    [InlineData(":53")]
    [InlineData("[ns1]:53")]
    public void Bad_server_addresses_are_5209(string text)
    {
        Assert.False(DnsUpdateOptions.TryParseServer(text, out _, out _, out string error));
        Assert.StartsWith("ERR_BURROW_5209", error, StringComparison.Ordinal);
    }
}
