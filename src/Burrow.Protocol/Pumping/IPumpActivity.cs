namespace Burrow.Protocol.Pumping;

/// <summary>What a <see cref="DuplexPump"/> reports per chunk (traffic counters, idle timers); called on the copying thread, so keep it cheap.</summary>
public interface IPumpActivity
{
    /// <summary>A chunk of <paramref name="bytes"/> was read from one end; <paramref name="towardB"/> says which way it goes.</summary>
    void OnRead(bool towardB, int bytes);

    /// <summary>That chunk was written to the other end.</summary>
    void OnWritten(bool towardB, int bytes);
}
