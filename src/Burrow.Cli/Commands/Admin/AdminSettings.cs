using System.CommandLine;
using Burrow.Edge;
using Burrow.Edge.Admin;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary>The options every <c>burrow admin</c> command takes, and how they resolve to a client.</summary>
internal sealed class AdminSettings
{
    public Option<string?> AdminUrl { get; } = new("--admin-url") { Description = "The edge's admin API. Default $BURROW_ADMIN_URL, else the address the edge of --data-dir recorded, else http://127.0.0.1:4440.", Recursive = true };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "An admin API key. Default $BURROW_API_KEY, else the admin-api-key file in --data-dir.", Recursive = true };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "The edge's data directory, to read its API key from on the same machine.", Recursive = true };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON instead of a table.", Recursive = true };

    public IEnumerable<Option> All => [AdminUrl, ApiKey, DataDir, Json];

    public AdminClient CreateClient(ParseResult parse)
    {
        string url = parse.GetValue(AdminUrl) is { Length: > 0 } given ? given
            : Environment.GetEnvironmentVariable("BURROW_ADMIN_URL") is { Length: > 0 } env ? env
            : AdminAddressFile.Read(parse.GetValue(DataDir) ?? EdgeOptions.DefaultDataDirectory())
                ?? "http://" + new EdgeOptions().AdminEndPoint;
        if (!Uri.TryCreate(url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url, UriKind.Absolute, out Uri? baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new AdminCliException(ErrorCodes.AdminUnreachable, ErrorCodes.AdminUnreachable.FormatMessage(url, "not an http:// or https:// URL"));
        }

        baseUrl = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + "/api/v1/");
        return new AdminClient(baseUrl, ResolveApiKey(parse));
    }

    private string ResolveApiKey(ParseResult parse)
    {
        if (parse.GetValue(ApiKey) is { Length: > 0 } given)
        {
            return given.Trim();
        }

        if (Environment.GetEnvironmentVariable("BURROW_API_KEY") is { Length: > 0 } env)
        {
            return env.Trim();
        }

        string file = AdminKeyFile.PathIn(parse.GetValue(DataDir) ?? EdgeOptions.DefaultDataDirectory());
        try
        {
            string key = File.ReadAllText(file).Trim();
            if (key.Length > 0)
            {
                return key;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reported below.
        }

        throw new AdminCliException(ErrorCodes.AdminApiKeyMissing, ErrorCodes.AdminApiKeyMissing.FormatMessage(file));
    }
}
