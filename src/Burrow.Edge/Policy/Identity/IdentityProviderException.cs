namespace Burrow.Edge.Policy.Identity;

/// <summary>The identity provider (discovery, JWKS, token endpoint) could not be used; answered with ERR_BURROW_3124.</summary>
internal sealed class IdentityProviderException : Exception
{
    public IdentityProviderException(Uri address, string reason, Exception? inner = null)
        : base($"{address.AbsoluteUri}: {reason}", inner)
    {
        Address = address;
        Reason = reason;
    }

    public Uri Address { get; }

    public string Reason { get; }
}
