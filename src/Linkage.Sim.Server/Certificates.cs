using System.Net;
using System.Security.Cryptography;
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
}
