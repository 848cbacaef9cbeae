namespace Burrow.Storage;

/// <summary>A new authtoken and its secret, which is shown once and never stored.</summary>
/// <param name="Token">The stored authtoken.</param>
/// <param name="Secret">The token agents present: <c>brw_</c> and 40 base-62 characters (238 bits).</param>
public sealed record CreatedAuthtoken(Authtoken Token, string Secret)
{
    /// <inheritdoc />
    public override string ToString() => $"CreatedAuthtoken {{ Token = {Token}, Secret = *** }}";
}
