using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Linkage.Live;

/// <summary>
/// Extra CA certificates trusted in addition to the system's: a server certificate the system already trusts passes;
/// one whose only fault is an unknown root passes when a chain to one of these CAs builds
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>). A name mismatch or a missing certificate never passes.
/// </summary>
internal sealed class CertificateTrust
{
    private readonly X509Certificate2Collection _roots;

    private CertificateTrust(X509Certificate2Collection roots) => _roots = roots;

    /// <summary>The CAs of <paramref name="caFile"/>, or null when there is no file to add.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or holds no certificate.</exception>
    public static CertificateTrust? Load(string? caFile)
    {
        if (string.IsNullOrEmpty(caFile))
        {
            return null;
        }
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"CA file {caFile}: cannot be read as PEM certificates ({e.GetType().Name})", nameof(caFile));
        }
        if (roots.Count == 0)
        {
            throw new ArgumentException($"CA file {caFile}: holds no PEM certificate", nameof(caFile));
        }
        return new CertificateTrust(roots);
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/> for <c>SslClientAuthenticationOptions</c> and <c>ClientWebSocketOptions</c>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        // A private CA publishes no revocation list; the system's own roots are checked as the system checks them.
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements.Skip(1))
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (certificate is X509Certificate2 leaf)
        {
            return custom.Build(leaf);
        }
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(copy);
    }
}
