namespace Burrow.Edge.Access;

/// <summary>What the edge created on first start with an empty store; the secrets are shown once and stored only hashed.</summary>
/// <param name="AccountName">The first account.</param>
/// <param name="Authtoken">An authtoken of that account, for agents.</param>
/// <param name="ApiKey">An API key of that account, for the admin API.</param>
public sealed record BootstrapCredentials(string AccountName, string Authtoken, string ApiKey)
{
    /// <inheritdoc />
    public override string ToString() => $"BootstrapCredentials {{ AccountName = {AccountName}, Authtoken = ***, ApiKey = *** }}";
}
