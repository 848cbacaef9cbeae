namespace Burrow.Storage;

/// <summary>A new API key and its secret, which is shown once and never stored.</summary>
/// <param name="Key">The stored key.</param>
/// <param name="Secret">The key clients present: <c>brwk_</c> and 40 base-62 characters.</param>
public sealed record CreatedApiKey(ApiKey Key, string Secret)
{
    /// <inheritdoc />
    public override string ToString() => $"CreatedApiKey {{ Key = {Key}, Secret = *** }}";
}
