using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;

namespace Linkage.Sim.Server;

/// <summary>
/// The TLS identity made at start: a throwaway CA (whose PEM is written for clients to trust) and a server certificate
/// it signs, valid for 127.0.0.1, ::1 and localhost. Two certificates rather than one self-signed leaf, because some TLS
/// stacks (OpenSSL under Node) refuse a leaf as its own trust anchor.
/// </summary>
internal static class Certificates
{
    /// <summary>How long the certificates are valid from now; a run is far shorter.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(7);

    public static X509Certificate2 Create(string caFile)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=linkage exchange test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now + Validity);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, now, now + Validity - TimeSpan.FromMinutes(1), serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(caFile))!);
        File.WriteAllText(caFile, ca.ExportCertificatePem() + "\n");
        // Through PKCS#12 so the private key is one the TLS stack can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>PEM labels of the unencrypted private keys <see cref="Load"/> reads.</summary>
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"];

    /// <summary>
    /// A certificate of the user's own (<c>--cert CERT.pem --cert-key KEY.pem</c>) instead of the one made at start. The
    /// certificate file holds one or more PEM <c>CERTIFICATE</c> blocks (the server's certificate and, optionally, its
    /// chain, in any order); the key file an unencrypted PEM private key (PKCS#8 <c>PRIVATE KEY</c>, SEC1
    /// <c>EC PRIVATE KEY</c> or PKCS#1 <c>RSA PRIVATE KEY</c>) for one of them; without <paramref name="keyFile"/> the
    /// key is read from the certificate file. The certificates (never the key) are written to <paramref name="trustFile"/>
    /// for clients to trust. Null with <paramref name="error"/> saying which file and what is wrong; problems a client
    /// would only meet later (expired, not for 127.0.0.1) are written to <paramref name="log"/> as warnings.
    /// </summary>
    public static X509Certificate2? Load(string certFile, string? keyFile, string trustFile, string host, TextWriter log, out string? error)
    {
        error = null;
        if (Read("--cert", certFile, out error) is not { } certText)
        {
            return null;
        }
        var keyPath = keyFile ?? certFile;
        var keyOption = keyFile is null ? "--cert (no --cert-key given, so the key is read from the certificate file)" : "--cert-key";
        if (Read(keyOption, keyPath, out error) is not { } keyText)
        {
            return null;
        }
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(certText);
        }
        catch (CryptographicException e)
        {
            error = $"--cert {certFile}: a CERTIFICATE block cannot be read ({e.Message})";
            return null;
        }
        if (certificates.Count == 0)
        {
            error = $"--cert {certFile}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
            return null;
        }
        var label = FirstKeyLabel(keyText, out var encrypted);
        if (label is null)
        {
            error = encrypted
                ? $"{keyOption} {keyPath}: the private key is encrypted (ENCRYPTED PRIVATE KEY); give it unencrypted (openssl pkcs8 -in KEY -out PLAIN -nocrypt)"
                : $"{keyOption} {keyPath}: holds no PEM private key (-----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY)";
            return null;
        }
        if (!Readable(keyText))
        {
            error = $"{keyOption} {keyPath}: the {label} block cannot be read (malformed, not an EC or RSA key, or more than one key in the file)";
            return null;
        }
        X509Certificate2? server = null;
        foreach (var certificate in certificates)
        {
            server ??= WithKey(certificate, keyText);
        }
        if (server is null)
        {
            error = $"{keyOption} {keyPath}: the private key does not match {(certificates.Count == 1 ? "the certificate" : "any of the certificates")} in {certFile}";
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
            return null;
        }
        using (server)
        {
            var now = DateTimeOffset.UtcNow;
            if (server.NotAfter < now || server.NotBefore > now)
            {
                log.WriteLine($"warning: --cert {certFile}: the certificate is valid from {server.NotBefore:u} to {server.NotAfter:u} only; clients will refuse it now");
            }
            if (!server.MatchesHostname(host) && !server.MatchesHostname("localhost"))
            {
                log.WriteLine($"warning: --cert {certFile}: the certificate names neither {host} nor localhost; clients that check the name will refuse it");
            }
            var pem = new StringBuilder();
            foreach (var certificate in certificates)
            {
                pem.Append(certificate.ExportCertificatePem()).Append('\n');
                certificate.Dispose();
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(trustFile))!);
            File.WriteAllText(trustFile, pem.ToString());
            // Through PKCS#12 so the private key is one the TLS stack can use on every platform.
            return X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null);
        }
    }

    private static string? Read(string option, string path, out string? error)
    {
        error = null;
        try
        {
            if (Directory.Exists(path))
            {
                error = $"{option} {path}: is a directory, not a PEM file";
                return null;
            }
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                error = $"{option} {path}: no such file";
                return null;
            }
            if (info.Length > 1024 * 1024)
            {
                error = $"{option} {path}: {info.Length} bytes is far larger than a PEM certificate or key";
                return null;
            }
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{option} {path}: cannot be read ({e.Message})";
            return null;
        }
    }

    /// <summary>The label of the first unencrypted private key PEM block in <paramref name="text"/>, or null.</summary>
    private static string? FirstKeyLabel(string text, out bool encrypted)
    {
        encrypted = false;
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (KeyLabels.Contains(label, StringComparer.Ordinal))
            {
                return label;
            }
            encrypted |= label == "ENCRYPTED PRIVATE KEY";
            rest = rest[fields.Location.End..];
        }
        return null;
    }

    /// <summary>Whether the first private key in <paramref name="keyText"/> is an EC or RSA key .NET can read.</summary>
    private static bool Readable(string keyText)
    {
        using var ec = ECDsa.Create();
        using var rsa = RSA.Create();
        foreach (var key in new AsymmetricAlgorithm[] { ec, rsa })
        {
            try
            {
                key.ImportFromPem(keyText);
                return true;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
            }
        }
        return false;
    }

    /// <summary>The certificate with the PEM key in <paramref name="keyText"/>, or null when the key is not its own.</summary>
    private static X509Certificate2? WithKey(X509Certificate2 certificate, string keyText)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certificate.ExportCertificatePem(), keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }
}
