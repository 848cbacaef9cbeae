namespace Burrow.Cli.Trust;

/// <summary>The steps of <c>burrow trust --print</c>: how to trust (or stop trusting) the CA by hand, per system and browser.</summary>
internal static class TrustGuide
{
    public static string For(string caPath, string nickname, string fileName, bool uninstall)
    {
        string ca = ExternalCommand.Quote(caPath);
        string nick = ExternalCommand.Quote(nickname);
        string debian = "/usr/local/share/ca-certificates/" + fileName;
        string fedora = "/etc/pki/ca-trust/source/anchors/" + fileName;
        var w = new StringWriter();
        if (!uninstall)
        {
            w.WriteLine($"To trust the local CA {caPath} ('{nickname}') by hand:");
            w.WriteLine();
            w.WriteLine("Linux, Chromium and Chrome (NSS database; certutil is in libnss3-tools, Fedora: nss-tools):");
            w.WriteLine("  sudo apt-get install libnss3-tools");
            w.WriteLine("  mkdir -p ~/.pki/nssdb && [ -f ~/.pki/nssdb/cert9.db ] || certutil -N -d sql:$HOME/.pki/nssdb --empty-password");
            w.WriteLine($"  certutil -A -d sql:$HOME/.pki/nssdb -t C,, -n {nick} -i {ca}");
            w.WriteLine("Linux, Firefox (each profile that has a cert9.db):");
            w.WriteLine($"  certutil -A -d sql:$HOME/.mozilla/firefox/PROFILE -t C,, -n {nick} -i {ca}");
            w.WriteLine("Linux, system store (curl, OpenSSL, .NET and most programs besides browsers):");
            w.WriteLine($"  Debian, Ubuntu: sudo cp {ca} {debian} && sudo update-ca-certificates");
            w.WriteLine($"  Fedora, RHEL:   sudo cp {ca} {fedora} && sudo update-ca-trust");
            w.WriteLine("macOS (Safari, Chrome; Firefox: Settings > Privacy & Security > Certificates > Import):");
            w.WriteLine($"  security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db {ca}");
            w.WriteLine("Windows (Edge, Chrome; Firefox: set security.enterprise_roots.enabled to true in about:config):");
            w.WriteLine($"  certutil -user -addstore Root \"{caPath}\"");
            w.WriteLine("One program only:");
            w.WriteLine($"  curl --cacert {ca} https://NAME.localhost:8443/");
            w.WriteLine($"  burrow http 8080 --server HOST:PORT --edge-ca {ca}");
            w.WriteLine();
            w.WriteLine("Restart the browser afterwards. 'burrow trust' runs the steps for this machine; 'burrow trust --uninstall' undoes them.");
        }
        else
        {
            w.WriteLine($"To stop trusting the local CA '{nickname}' by hand:");
            w.WriteLine();
            w.WriteLine("Linux, Chromium and Chrome:");
            w.WriteLine($"  certutil -D -d sql:$HOME/.pki/nssdb -n {nick}");
            w.WriteLine("Linux, Firefox (each profile):");
            w.WriteLine($"  certutil -D -d sql:$HOME/.mozilla/firefox/PROFILE -n {nick}");
            w.WriteLine("Linux, system store:");
            w.WriteLine($"  Debian, Ubuntu: sudo rm {debian} && sudo update-ca-certificates");
            w.WriteLine($"  Fedora, RHEL:   sudo rm {fedora} && sudo update-ca-trust");
            w.WriteLine("macOS:");
            w.WriteLine($"  security delete-certificate -c {nick} ~/Library/Keychains/login.keychain-db");
            w.WriteLine("Windows:");
            w.WriteLine($"  certutil -user -delstore Root \"{nickname}\"");
        }

        return w.ToString();
    }
}
