using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>What Linux's /proc says about a process: its open file descriptors (sockets included) and resident memory.</summary>
public static class ProcessStats
{
    /// <summary>Open file descriptors of <paramref name="pid"/>.</summary>
    public static int OpenFds(int pid) => Directory.GetFileSystemEntries($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").Length;

    /// <summary>Open sockets of <paramref name="pid"/> (the fds that are sockets).</summary>
    public static int OpenSockets(int pid)
    {
        int sockets = 0;
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    sockets++;
                }
            }
            catch (IOException)
            {
                // Closed while being listed.
            }
        }

        return sockets;
    }

    /// <summary>Resident memory of <paramref name="pid"/> in MiB (VmRSS).</summary>
    public static double RssMiB(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds or <paramref name="timeout"/> passes; returns the last value.</summary>
    public static async Task<T> SettleAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            value = await read();
        }

        return value;
    }
}
