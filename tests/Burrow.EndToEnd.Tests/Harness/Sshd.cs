using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's OpenSSH server in the foreground (<c>sshd -D</c>) on a free loopback port, with a host
/// key, a client key and authorized_keys generated into a temp directory; public-key login only,
/// for the user running the tests.
/// </summary>
public sealed class Sshd : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/sshd";

    private readonly Daemon _daemon;

    private Sshd(Daemon daemon, int port, string clientKey)
    {
        _daemon = daemon;
        Port = port;
        ClientKey = clientKey;
    }

    public int Port { get; }

    /// <summary>The private key that logs in.</summary>
    public string ClientKey { get; }

    public static string User => Environment.UserName;

    public static async Task<Sshd> StartAsync(string directory)
    {
        string hostKey = Path.Combine(directory, "ssh_host_ed25519_key"), clientKey = Path.Combine(directory, "client_ed25519");
        await Tool.RunOkAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        await Tool.RunOkAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey]);
        string authorizedKeys = Path.Combine(directory, "authorized_keys");
        File.Copy(clientKey + ".pub", authorizedKeys);
        // Privilege separation needs it; Debian's service creates it at boot, which a test machine may not have done.
        Directory.CreateDirectory("/run/sshd");

        int port = FreePort.Loopback();
        string config = Path.Combine(directory, "sshd_config");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {hostKey}
            PidFile {Path.Combine(directory, "sshd.pid")}
            AuthorizedKeysFile {authorizedKeys}
            StrictModes no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            UsePAM no
            Subsystem sftp internal-sftp
            LogLevel ERROR

            """));
        Daemon daemon = await Daemon.StartAsync(Executable, ["-D", "-e", "-f", config], port);
        return new Sshd(daemon, port, clientKey);
    }

    /// <summary>Client options for a throwaway server: this key only, no host key prompts, no agent, bounded connect.</summary>
    public IEnumerable<string> ClientOptions() =>
    [
        "-i", ClientKey, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "-F", "/dev/null",
    ];

    public string Diagnostics() => _daemon.Diagnostics();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
