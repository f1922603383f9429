using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Linkage.Coinbase;
using Linkage.Host;
using Linkage.Live;
using NSec.Cryptography;

namespace Linkage.Wire.Tests;

/// <summary>
/// <see cref="CdpApiKey"/>: both key kinds Coinbase issues sign tokens the exchange (a real process) accepts over REST
/// and WebSocket; the tokens carry Coinbase's claims; a key file that cannot be used is refused with a message that
/// names the file and the problem and never the key.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LiveKeyTests
{
    private string _directory = null!;

    [OneTimeSetUp]
    public void MakeDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "linkage-live-keys-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_directory);
    }

    [OneTimeTearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string KeyJson(string name, string privateKey) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["privateKey"] = privateKey });

    private static string Es256Pem()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportECPrivateKeyPem();
    }

    private static byte[] Ed25519SeedAndPublic()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return [.. key.Export(KeyBlobFormat.RawPrivateKey), .. key.PublicKey.Export(KeyBlobFormat.RawPublicKey)];
    }

    /// <summary>Each case: a file name, its content (null: no file; "dir": a directory), the secret text that must never be echoed, and a word of the expected problem.</summary>
    private static IEnumerable<TestCaseData> BadKeyFiles()
    {
        var pem = Es256Pem();
        var pemBody = string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
        yield return new TestCaseData("missing.json", null, "", "does not exist").SetName("a missing file");
        yield return new TestCaseData("a-directory", "dir", "", "cannot be read").SetName("a directory");
        yield return new TestCaseData("truncated.json", KeyJson("organizations/o/apiKeys/k", pem)[..^40], pemBody[..^40], "not valid JSON").SetName("truncated JSON holding a key");
        yield return new TestCaseData("unquoted.json", "{\"name\":\"k\",\"privateKey\":" + pemBody + "}", pemBody, "not valid JSON").SetName("a key not quoted as a JSON string");
        yield return new TestCaseData("array.json", "[\"" + pemBody + "\"]", pemBody, "JSON object").SetName("a JSON array");
        yield return new TestCaseData("noname.json", JsonSerializer.Serialize(new Dictionary<string, string> { ["privateKey"] = pem }), pemBody, "'name'").SetName("no name");
        yield return new TestCaseData("nokey.json", "{\"name\":\"organizations/o/apiKeys/k\"}", "", "'privateKey'").SetName("no privateKey");
        var garbage = "-----BEGIN EC PRIVATE KEY-----\n" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(121)) + "\n-----END EC PRIVATE KEY-----\n";
        yield return new TestCaseData("garbage-pem.json", KeyJson("k", garbage), garbage, "not an EC private key").SetName("a PEM of random bytes");
        using (var rsa = RSA.Create(2048))
        {
            var rsaPem = rsa.ExportRSAPrivateKeyPem();
            yield return new TestCaseData("rsa.json", KeyJson("k", rsaPem), rsaPem, "not an EC private key").SetName("an RSA key");
        }
        using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            var p384Pem = p384.ExportECPrivateKeyPem();
            yield return new TestCaseData("p384.json", KeyJson("k", p384Pem), p384Pem, "P-256").SetName("an EC key on P-384");
        }
        using (var encrypted = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var encryptedPem = encrypted.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
            yield return new TestCaseData("encrypted.json", KeyJson("k", encryptedPem), encryptedPem, "encrypted").SetName("an encrypted PEM");
        }
        var words = "this is no key at all, just words about one";
        yield return new TestCaseData("words.json", KeyJson("k", words), words, "neither a PEM EC key nor base64").SetName("words instead of a key");
        var short48 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        yield return new TestCaseData("ed-48.json", KeyJson("k", short48), short48, "48 bytes").SetName("base64 of 48 bytes");
        var mismatched = Ed25519SeedAndPublic();
        mismatched[40] ^= 0xff;
        var damaged = Convert.ToBase64String(mismatched);
        yield return new TestCaseData("ed-damaged.json", KeyJson("k", damaged), damaged, "damaged").SetName("an Ed25519 key whose public half is not its seed's");
    }

    // Planted once: CdpApiKey.FromEd25519 wrote "privateKey '{text}' is neither a PEM EC key nor base64..." (echoing the
    // bad value to help whoever reads it): "words instead of a key" failed on the no-echo check.
    // Planted once, not caught: the JSON failure's message carried JsonException.Message. That message quotes at most
    // one character of the file ("'M' is an invalid start of a value"), below the 12-character pieces checked here;
    // Load keeps only the line and byte position all the same.
    [TestCaseSource(nameof(BadKeyFiles))]
    public void A_bad_key_file_is_refused_naming_the_file_and_never_the_key(string name, string? content, string secret, string problem)
    {
        var path = Path.Combine(_directory, name);
        if (content == "dir")
        {
            Directory.CreateDirectory(path);
        }
        else if (content is not null)
        {
            File.WriteAllText(path, content);
        }
        var refusal = Assert.Throws<CdpKeyException>(() => CdpApiKey.Load(path).Dispose())!;
        Assert.That(refusal.Path, Is.EqualTo(path));
        Assert.That(refusal.Message, Does.Contain(path));
        Assert.That(refusal.Message, Does.Contain(problem));
        Assert.That(refusal.InnerException, Is.Null, "an inner exception's text may quote the file");
        if (secret.Length > 0)
        {
            Assert.That(Live.SharesPiece(refusal.ToString(), secret), Is.False, $"the exception quotes the key: {refusal}");
        }
    }

    [Test]
    public void Both_pem_shapes_and_both_ed25519_lengths_load()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var sec1 = Write("sec1.json", KeyJson("organizations/o/apiKeys/a", ecdsa.ExportECPrivateKeyPem()));
        var pkcs8 = Write("pkcs8.json", KeyJson("organizations/o/apiKeys/b", ecdsa.ExportPkcs8PrivateKeyPem()));
        // Some users paste the PEM with its line breaks written as the two characters \n.
        var escaped = Write("escaped.json", KeyJson("organizations/o/apiKeys/c", ecdsa.ExportECPrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal)));
        var both = Ed25519SeedAndPublic();
        var full = Write("ed64.json", KeyJson("id-64", Convert.ToBase64String(both)));
        var seed = Write("ed32.json", JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = "id-32", ["privateKey"] = Convert.ToBase64String(both.AsSpan(0, 32)) }));
        foreach (var (path, algorithm, name) in new[] { (sec1, "ES256", "organizations/o/apiKeys/a"), (pkcs8, "ES256", "organizations/o/apiKeys/b"), (escaped, "ES256", "organizations/o/apiKeys/c"), (full, "EdDSA", "id-64"), (seed, "EdDSA", "id-32") })
        {
            using var key = CdpApiKey.Load(path);
            Assert.That(key.Algorithm, Is.EqualTo(algorithm), path);
            Assert.That(key.Name, Is.EqualTo(name), path);
        }
    }

    // Planted once: the uri claim was built from PathAndQuery: both cases failed on the uri, while every REST test
    // passed (the simulated exchange compares only method and path, so only this test sees it).
    // Planted once: ES256 signed in DER (SignData's other format) rather than IEEE P1363: the ES256 case failed on the
    // signature's length, and the exchange answered 401 in Keys_of_both_kinds_are_accepted_by_the_exchange (es256).
    [TestCase("ES256")]
    [TestCase("EdDSA")]
    public void Tokens_carry_coinbase_claims_and_verify(string algorithm)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ed = Ed25519SeedAndPublic();
        var path = algorithm == "ES256"
            ? Write("claims-es.json", KeyJson("organizations/o/apiKeys/claims", ecdsa.ExportECPrivateKeyPem()))
            : Write("claims-ed.json", KeyJson("claims-id", Convert.ToBase64String(ed)));
        using var key = CdpApiKey.Load(path);
        var now = new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);
        var rest = key.RestJwt("get", new Uri("https://127.0.0.1:8443/api/v3/brokerage/orders/historical/batch?order_status=OPEN&limit=5"), now);
        var production = key.RestJwt("POST", new Uri("https://api.coinbase.com/api/v3/brokerage/orders"), now);
        var ws = key.WebSocketJwt(now);
        var (header, claims) = Verify(rest, algorithm, ecdsa, ed);
        Assert.That(header.GetProperty("alg").GetString(), Is.EqualTo(algorithm));
        Assert.That(header.GetProperty("kid").GetString(), Is.EqualTo(key.Name));
        Assert.That(header.GetProperty("nonce").GetString(), Does.Match("^[0-9a-f]{32}$"));
        Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(key.Name));
        Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo("cdp"));
        Assert.That(claims.GetProperty("nbf").GetInt64(), Is.EqualTo(now.ToUnixTimeSeconds()));
        Assert.That(claims.GetProperty("exp").GetInt64(), Is.EqualTo(now.ToUnixTimeSeconds() + 120));
        Assert.That(claims.GetProperty("uri").GetString(), Is.EqualTo("GET 127.0.0.1:8443/api/v3/brokerage/orders/historical/batch"), "method, host:port and path; no scheme, no query");
        Assert.That(Verify(production, algorithm, ecdsa, ed).Claims.GetProperty("uri").GetString(), Is.EqualTo("POST api.coinbase.com/api/v3/brokerage/orders"), "the default port is not written");
        var (wsHeader, wsClaims) = Verify(ws, algorithm, ecdsa, ed);
        Assert.That(wsClaims.TryGetProperty("uri", out _), Is.False);
        Assert.That(wsHeader.GetProperty("nonce").GetString(), Is.Not.EqualTo(header.GetProperty("nonce").GetString()), "every token has its own nonce");
        var once = key.RestJwt("GET", new Uri("https://127.0.0.1:8443/x"), now);
        var twice = key.RestJwt("GET", new Uri("https://127.0.0.1:8443/x"), now);
        Assert.That(twice, Is.Not.EqualTo(once), "the same request at the same second still gets a new token");
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.WebSocketJwt(now));
    }

    private static (JsonElement Header, JsonElement Claims) Verify(string jwt, string algorithm, ECDsa ecdsa, byte[] ed)
    {
        var parts = jwt.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3));
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.That(signature, Has.Length.EqualTo(64), "ES256 and EdDSA signatures are 64 bytes (P1363 r||s for ES256)");
        var valid = algorithm == "ES256"
            ? ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : SignatureAlgorithm.Ed25519.Verify(PublicKey.Import(SignatureAlgorithm.Ed25519, ed.AsSpan(32), KeyBlobFormat.RawPublicKey), signed, signature);
        Assert.That(valid, Is.True, "the signature verifies with the public key");
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        return (header.RootElement.Clone(), claims.RootElement.Clone());
    }

    /// <summary>The same key in the file's other shape: PKCS#8 for an EC key, the seed alone for an Ed25519 key.</summary>
    private string OtherShape(string keyFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(keyFile));
        var name = document.RootElement.GetProperty("name").GetString()!;
        var secret = document.RootElement.GetProperty("privateKey").GetString()!;
        string other;
        if (secret.Contains("BEGIN", StringComparison.Ordinal))
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(secret);
            other = ecdsa.ExportPkcs8PrivateKeyPem();
        }
        else
        {
            other = Convert.ToBase64String(Convert.FromBase64String(secret).AsSpan(0, 32));
        }
        return Write("other-shape-" + Guid.NewGuid().ToString("N")[..8] + ".json", KeyJson(name, other));
    }

    [TestCase("es256", "ES256")]
    [TestCase("ed25519", "EdDSA")]
    public async Task Keys_of_both_kinds_are_accepted_by_the_exchange_over_rest_and_websocket(string kind, string algorithm)
    {
        using var server = ExchangeProcess.Start(algorithm: kind);
        var logs = new CapturedLogs();
        foreach (var file in new[] { server.KeyFile, OtherShape(server.KeyFile) })
        {
            using var key = CdpApiKey.Load(file);
            Assert.That(key.Algorithm, Is.EqualTo(algorithm));
            using var rest = CoinbaseRestClient.Create(Live.Endpoints(server), key, TimeProvider.System, logs);
            var answer = await rest.SendAsync(new ListOpenOrdersCall(null, 10), CancellationToken.None);
            Assert.That(answer.Status, Is.EqualTo(200), $"{file}: {answer.Body}\n{server.Stderr}");
            Assert.That(CoinbaseParser.ParseListOrders(answer.Body).IsSuccess, Is.True, answer.Body);
            var feed = new CoinbaseFeed(Live.Endpoints(server), key, TimeProvider.System, logs.CreateLogger("feed"));
            using var recorder = new FeedRecorder(feed, TimeSpan.FromSeconds(60));
            await recorder.Until(texts => texts.Any(t => WsClient.Channel(t) == "heartbeats")
                && texts.Any(t => CoinbaseParser.ParseWebSocket(t).Value is SubscriptionsMessage s && s.Channels.Contains("user") && s.Channels.Contains("heartbeats")),
                TimeSpan.FromSeconds(20), "subscriptions to both channels and a heartbeat");
            var end = await recorder.Stop();
            Assert.That(end.Reason, Is.EqualTo(FeedEndReason.Cancelled), end.Detail);
            Assert.That(recorder.Texts.Where(t => t.Contains("\"error\"", StringComparison.Ordinal)), Is.Empty);
        }
        Assert.That(server.Stderr, Does.Not.Contain("refused"), "the exchange refused no token");
        logs.AssertNoSecrets(server.KeyFile);
    }
}
