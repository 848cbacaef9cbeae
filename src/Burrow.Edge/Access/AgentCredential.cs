using Burrow.Storage;

namespace Burrow.Edge.Access;

/// <summary>
/// Who an agent session belongs to: the digest of the token it presented (resumes must present
/// the same one), and the stored authtoken when it came from the control store. A token given
/// on the command line or in a token file has no stored authtoken: no account, no scopes.
/// </summary>
internal sealed class AgentCredential
{
    public AgentCredential(byte[] digest, Authtoken? token)
    {
        Digest = digest;
        Token = token;
    }

    public byte[] Digest { get; }

    public Authtoken? Token { get; }

    public string? AuthtokenId => Token?.Id;

    public string? AccountId => Token?.AccountId;

    public AuthtokenScopes Scopes => Token?.Scopes ?? AuthtokenScopes.Unrestricted;
}
