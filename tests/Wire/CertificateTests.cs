using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Linkage.Wire.Tests;

/// <summary><c>--cert</c> and <c>--cert-key</c>: TLS with a certificate the test makes, and a clear refusal for every bad file.</summary>
[TestFixture]
[NonParallelizable]
public sealed class CertificateTests
{
    private string _directory = null!;

    [SetUp]
    public void MakeDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "linkage-cert-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    /// <summary>A CA of the test's own and a server certificate it signs for 127.0.0.1 and localhost; the leaf with its key.</summary>
    private static (X509Certificate2 Ca, X509Certificate2 Leaf, AsymmetricAlgorithm Key) Make(bool rsa)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        // The CA signs with the same algorithm as the leaf's key (CertificateRequest.Create needs that).
        using AsymmetricAlgorithm caKey = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = caKey is RSA caRsa
            ? new CertificateRequest("CN=the test's own CA", caRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=the test's own CA", (ECDsa)caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now, now.AddDays(1));
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA r
            ? new CertificateRequest("CN=localhost", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=localhost", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var leaf = request.Create(ca, now, now.AddHours(12), [1, 2, 3, 4, 5, 6, 7, 8]);
        return (ca, leaf, key);
    }

    private static string KeyPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestCase(false, TestName = "An ECDSA certificate with its key in a second file is served over HTTPS and WSS")]
    [TestCase(true, TestName = "An RSA certificate with its key in the same file is served over HTTPS and WSS")]
    public async Task The_given_certificate_is_served(bool rsa)
    {
        var (ca, leaf, key) = Make(rsa);
        using var _ = ca;
        using var __ = leaf;
        using var ___ = key;
        string[] args;
        if (rsa)
        {
            args = ["--cert", Write("server.pem", leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n" + KeyPem(key) + "\n")];
        }
        else
        {
            // The chain in any order: the CA first, then the server's certificate.
            args = ["--cert", Write("server.pem", ca.ExportCertificatePem() + "\n" + leaf.ExportCertificatePem() + "\n"), "--cert-key", Write("server-key.pem", KeyPem(key))];
        }
        using var server = ExchangeProcess.Start(args);
        Assert.That(server.Rest, Does.StartWith("https://"));
        X509Certificate2? served = null;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust the test's own CA only, not whatever file the server wrote.
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { ca } },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    served = certificate is null ? null : new X509Certificate2(certificate);
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.Rest) };
        using var response = await http.GetAsync("/api/v3/brokerage/time");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(served?.Thumbprint, Is.EqualTo(leaf.Thumbprint), "the server presents the test's certificate, not one it made");
        served?.Dispose();

        // The file clients are told to trust holds the given certificates and never the key.
        var trust = File.ReadAllText(server.CaFile!);
        Assert.That(trust, Does.Contain(ca.ExportCertificatePem()).And.Contain(leaf.ExportCertificatePem()));
        Assert.That(trust, Does.Not.Contain("PRIVATE KEY"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await server.ConnectWs(cancel.Token);
        await socket.SendText(WsClient.Subscribe("heartbeats", server.Token(null, null)), cancel.Token);
        Assert.That(WsClient.Channel((await socket.ReceiveText(TimeSpan.FromSeconds(10)))!), Is.EqualTo("subscriptions"), "WSS with the same certificate");
        Assert.That(server.Stop(), Is.EqualTo(0));
    }

    [Test]
    public void A_missing_unreadable_or_mismatched_file_is_refused_with_what_is_wrong()
    {
        var (ca, leaf, key) = Make(rsa: false);
        using var _ = ca;
        using var __ = leaf;
        using var ___ = key;
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cert = Write("server.pem", leaf.ExportCertificatePem());
        var keyFile = Write("server-key.pem", KeyPem(key));
        var missing = Path.Combine(_directory, "missing.pem");
        var cases = new (string[] Args, string Says)[]
        {
            (["--cert", missing, "--cert-key", keyFile], $"--cert {missing}: no such file"),
            (["--cert", cert, "--cert-key", missing], $"--cert-key {missing}: no such file"),
            (["--cert", _directory, "--cert-key", keyFile], $"--cert {_directory}: is a directory"),
            (["--cert", Write("garbage.pem", "not a certificate\n"), "--cert-key", keyFile], "holds no PEM certificate"),
            (["--cert", Write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "--cert-key", keyFile], "a CERTIFICATE block cannot be read"),
            (["--cert", cert], "holds no PEM private key"),
            (["--cert", cert, "--cert-key", Write("other-key.pem", other.ExportPkcs8PrivateKeyPem())], $"--cert-key {Path.Combine(_directory, "other-key.pem")}: the private key does not match the certificate in {cert}"),
            (["--cert", cert, "--cert-key", Write("encrypted.pem", key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)))], "the private key is encrypted"),
            (["--cert", cert, "--cert-key", Write("bad-key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")], "the PRIVATE KEY block cannot be read"),
            (["--cert-key", keyFile], "--cert-key needs --cert"),
            (["--cert", cert, "--cert-key", keyFile, "--plain"], "--cert and --plain exclude each other"),
        };
        foreach (var (args, says) in cases)
        {
            var (exit, stdout, stderr) = ExchangeProcess.RunExchange([.. args, "--dir", _directory, "--duration", "5"]);
            Assert.That(exit, Is.EqualTo(2), $"{string.Join(' ', args)}: {stdout}{stderr}");
            Assert.That(stdout, Does.Not.Contain("rest "), "it never serves");
            Assert.That(stderr, Does.Contain(says), string.Join(' ', args));
        }
    }
}
