using System.Collections.Concurrent;

namespace Burrow.Acme.Client;

/// <summary>
/// Replay nonces (RFC 8555 section 7.2): every response's Replay-Nonce is kept for the next request, so a fresh
/// one is fetched from newNonce only when none is left. Bounded: nonces expire on the server, hoarding helps nobody.
/// </summary>
internal sealed class NoncePool
{
    private const int Capacity = 16;
    private readonly ConcurrentQueue<string> _nonces = new();

    public void Add(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce
            && _nonces.Count < Capacity)
        {
            _nonces.Enqueue(nonce);
        }
    }

    public bool TryTake(out string nonce) => _nonces.TryDequeue(out nonce!);

    public void Clear() => _nonces.Clear();
}
