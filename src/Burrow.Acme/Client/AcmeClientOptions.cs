namespace Burrow.Acme.Client;

/// <summary>The ACME client's settings.</summary>
internal sealed record AcmeClientOptions
{
    /// <summary>The directory URL, for example Let's Encrypt's <c>https://acme-v02.api.letsencrypt.org/directory</c>.</summary>
    public required Uri Directory { get; init; }

    /// <summary>How many times one request is resent after <c>badNonce</c> (each time with the nonce that came with the error). Default 5.</summary>
    public int MaxBadNonceRetries { get; init; } = 5;

    /// <summary>How long an authorization or order may stay pending or processing before the client gives up (ERR_BURROW_5205). Default 3 min.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The wait between polls when the server sends no Retry-After. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a Retry-After is honoured between polls; longer ones are cut to this. Default 30 s.</summary>
    public TimeSpan MaxPollWait { get; init; } = TimeSpan.FromSeconds(30);
}
