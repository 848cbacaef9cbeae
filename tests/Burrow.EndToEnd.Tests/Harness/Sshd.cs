using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's OpenSSH server in the foreground (<c>sshd -D</c>) on a free loopback port, with a host
/// key, a client key and authorized_keys generated into a temp directory; public-key login only,
/// for the user running the tests.
/// </summary>
public sealed class Sshd : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/sshd";

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private Sshd(Process process, int port, string clientKey)
    {
        _process = process;
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
        var info = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-D", "-e", "-f", config })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var sshd = new Sshd(process, port, clientKey);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (sshd._stderr)
            {
                sshd._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), sshd.Diagnostics);
            return sshd;
        }
        catch
        {
            await sshd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Client options for a throwaway server: this key only, no host key prompts, no agent, bounded connect.</summary>
    public IEnumerable<string> ClientOptions() =>
    [
        "-i", ClientKey, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "-F", "/dev/null",
    ];

    public string Diagnostics()
    {
        lock (_stderr)
        {
            return $"sshd exited: {_process.HasExited}; stderr: {_stderr}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Gone already.
        }

        _process.Dispose();
    }
}
