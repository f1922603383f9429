using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace Linkage.Sim.Server;

/// <summary>The two key kinds Coinbase's developer platform issues.</summary>
internal enum KeyAlgorithm
{
    /// <summary>EC P-256, PEM (SEC1 <c>EC PRIVATE KEY</c> or PKCS#8 <c>PRIVATE KEY</c>); JWT <c>alg</c> ES256.</summary>
    Es256,

    /// <summary>Ed25519, base64 of the 32-byte seed followed by the 32-byte public key; JWT <c>alg</c> EdDSA.</summary>
    Ed25519,
}

/// <summary>
/// A CDP API key in the shape of Coinbase's key download, <c>cdp_api_key.json</c>: <c>name</c> (the JWT <c>kid</c> and
/// <c>sub</c>) and <c>privateKey</c>. The simulated exchange verifies with the public half, which it derives from the
/// same file (it plays both sides). The private key never reaches a log.
/// </summary>
internal sealed class ApiKey
{
    private readonly ECDsa? _ecdsa;
    private readonly PublicKey? _ed25519;

    private ApiKey(string name, KeyAlgorithm algorithm, ECDsa? ecdsa, PublicKey? ed25519)
    {
        Name = name;
        Algorithm = algorithm;
        _ecdsa = ecdsa;
        _ed25519 = ed25519;
    }

    public string Name { get; }
    public KeyAlgorithm Algorithm { get; }

    /// <summary>Writes a fresh key to <paramref name="directory"/>/cdp_api_key.json (created with owner-only permissions) and returns its path.</summary>
    public static string Generate(string directory, KeyAlgorithm algorithm)
    {
        Directory.CreateDirectory(directory);
        var org = Guid.NewGuid().ToString("D");
        var id = Guid.NewGuid().ToString("D");
        var name = $"organizations/{org}/apiKeys/{id}";
        string privateKey;
        if (algorithm == KeyAlgorithm.Es256)
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            privateKey = ecdsa.ExportECPrivateKeyPem() + "\n";
        }
        else
        {
            using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            var seed = key.Export(KeyBlobFormat.RawPrivateKey);
            var pub = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            privateKey = Convert.ToBase64String([.. seed, .. pub]);
            // Coinbase's Ed25519 keys are named by their id alone.
            name = id;
        }
        var path = Path.Combine(directory, "cdp_api_key.json");
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["privateKey"] = privateKey }, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(path, json + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    /// <summary>Reads a key file (<c>name</c> or <c>id</c>, and <c>privateKey</c>); the error names what is wrong, never the key.</summary>
    public static ApiKey? Load(string path, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()
                : root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var secret = root.TryGetProperty("privateKey", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(secret))
            {
                error = $"{path}: needs 'name' (or 'id') and 'privateKey'";
                return null;
            }
            if (secret.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportFromPem(secret.Replace("\\n", "\n", StringComparison.Ordinal));
                if (ecdsa.KeySize != 256)
                {
                    error = $"{path}: the EC key is not P-256";
                    return null;
                }
                return new ApiKey(name, KeyAlgorithm.Es256, ecdsa, null);
            }
            var bytes = Convert.FromBase64String(secret);
            if (bytes.Length != 64)
            {
                error = $"{path}: an Ed25519 privateKey is base64 of 64 bytes (seed and public key)";
                return null;
            }
            using var key = Key.Import(SignatureAlgorithm.Ed25519, bytes.AsSpan(0, 32), KeyBlobFormat.RawPrivateKey);
            var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, key.PublicKey.Export(KeyBlobFormat.RawPublicKey), KeyBlobFormat.RawPublicKey);
            return new ApiKey(name, KeyAlgorithm.Ed25519, null, publicKey);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException or CryptographicException or ArgumentException)
        {
            error = $"{path}: cannot read the key ({e.GetType().Name})";
            return null;
        }
    }

    /// <summary>Whether <paramref name="signature"/> signs <paramref name="signedPart"/> (the JWT's <c>header.payload</c> text) with this key.</summary>
    public bool Verify(string alg, ReadOnlySpan<byte> signedPart, ReadOnlySpan<byte> signature)
    {
        if (Algorithm == KeyAlgorithm.Es256)
        {
            return alg == "ES256" && signature.Length == 64 && _ecdsa!.VerifyData(signedPart, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        return alg == "EdDSA" && signature.Length == 64 && SignatureAlgorithm.Ed25519.Verify(_ed25519!, signedPart, signature);
    }

    /// <summary>Test and benchmark helper: a signed JWT for this key file, as Coinbase's SDKs build one.</summary>
    public static string Sign(string keyFile, IReadOnlyDictionary<string, object> claims, string? algOverride = null)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(keyFile));
        var name = document.RootElement.GetProperty("name").GetString()!;
        var secret = document.RootElement.GetProperty("privateKey").GetString()!;
        var isEc = secret.Contains("-----BEGIN", StringComparison.Ordinal);
        var header = new Dictionary<string, object> { ["alg"] = algOverride ?? (isEc ? "ES256" : "EdDSA"), ["kid"] = name, ["typ"] = "JWT", ["nonce"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) };
        var signedPart = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        byte[] signature;
        if (isEc)
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(secret);
            signature = ecdsa.SignData(Encoding.ASCII.GetBytes(signedPart), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        else
        {
            var bytes = Convert.FromBase64String(secret);
            using var key = Key.Import(SignatureAlgorithm.Ed25519, bytes.AsSpan(0, 32), KeyBlobFormat.RawPrivateKey);
            signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.ASCII.GetBytes(signedPart));
        }
        return signedPart + "." + Base64Url(signature);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
