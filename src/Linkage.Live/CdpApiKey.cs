using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace Linkage.Live;

/// <summary>
/// A Coinbase Developer Platform API key, loaded from the file Coinbase hands out (<c>cdp_api_key.json</c>:
/// <c>{"name": ..., "privateKey": ...}</c>), and the JWTs it signs for REST requests and WebSocket subscribes. An EC
/// P-256 key in PEM (SEC1 <c>EC PRIVATE KEY</c> or PKCS#8 <c>PRIVATE KEY</c>) signs ES256; an Ed25519 key (base64 of the
/// 32-byte seed followed by the 32-byte public key, or of the seed alone) signs EdDSA. The private key is never
/// exposed, logged or put into an exception message; <see cref="Dispose"/> releases it. Thread-safe.
/// </summary>
public sealed class CdpApiKey : IDisposable
{
    /// <summary>The JWT algorithm of an EC P-256 key.</summary>
    public const string Es256 = "ES256";

    /// <summary>The JWT algorithm of an Ed25519 key.</summary>
    public const string EdDsa = "EdDSA";

    /// <summary>The JWT issuer Coinbase's CDP keys use.</summary>
    public const string Issuer = "cdp";

    /// <summary>How long a token is valid: Coinbase accepts a JWT for two minutes, so every request signs a fresh one.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(120);

    /// <summary>Largest key file read; Coinbase's is a few hundred bytes.</summary>
    public const int KeyFileBytesMax = 64 * 1024;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly object _gate = new();
    private readonly ECDsa? _ecdsa;
    private readonly Key? _ed25519;
    private bool _disposed;

    private CdpApiKey(string name, ECDsa? ecdsa, Key? ed25519)
    {
        Name = name;
        _ecdsa = ecdsa;
        _ed25519 = ed25519;
        Algorithm = ecdsa is not null ? Es256 : EdDsa;
    }

    /// <summary>The key's name (<c>organizations/{org}/apiKeys/{id}</c>, or the id alone for Ed25519 keys): the JWT's <c>kid</c> and <c>sub</c>.</summary>
    public string Name { get; }

    /// <summary>The JWT algorithm this key signs with: <see cref="Es256"/> or <see cref="EdDsa"/>.</summary>
    public string Algorithm { get; }

    /// <summary>
    /// Reads a key file. The key's name is <c>name</c> (or <c>id</c>, as Coinbase's Ed25519 downloads spell it), the
    /// secret <c>privateKey</c>; a PEM whose line breaks were written as the two characters <c>\n</c> is read too.
    /// </summary>
    /// <param name="path">The key file.</param>
    /// <returns>The key, ready to sign.</returns>
    /// <exception cref="CdpKeyException">The file is missing, unreadable, not JSON, lacks a field, or holds no usable key; the message names the file and the problem, never the key.</exception>
    public static CdpApiKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ReadFile(path);
        try
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                // The exception's own message quotes the offending text, which may be part of the key: only its position is kept.
                throw new CdpKeyException(path, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new CdpKeyException(path, "is not a JSON object with 'name' and 'privateKey'");
                }
                var name = Text(root, "name") ?? Text(root, "id");
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new CdpKeyException(path, "has no 'name' (or 'id'): the key's name is needed as the JWT's kid and sub");
                }
                var secret = Text(root, "privateKey");
                if (string.IsNullOrWhiteSpace(secret))
                {
                    throw new CdpKeyException(path, "has no 'privateKey'");
                }
                return secret.Contains("-----BEGIN", StringComparison.Ordinal) ? FromPem(path, name, secret) : FromEd25519(path, name, secret);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// A token for one REST request: header <c>alg</c>, <c>kid</c> (the name), <c>nonce</c> (random hex), <c>typ</c>;
    /// claims <c>sub</c> (the name), <c>iss</c> <c>cdp</c>, <c>nbf</c> <paramref name="now"/>, <c>exp</c> two minutes later,
    /// and <c>uri</c> <c>"METHOD host[:port]/path"</c> as Coinbase builds it (no scheme, no query).
    /// </summary>
    /// <param name="method">The HTTP method, e.g. <c>GET</c>.</param>
    /// <param name="url">The absolute request URL; its query is not signed.</param>
    /// <param name="now">The signing time.</param>
    /// <returns>The compact JWT.</returns>
    public string RestJwt(string method, Uri url, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("the URL must be absolute", nameof(url));
        }
        return Sign($"{method.ToUpperInvariant()} {url.Authority}{url.AbsolutePath}", now);
    }

    /// <summary>A token for one WebSocket <c>subscribe</c> message: as <see cref="RestJwt"/> without the <c>uri</c> claim.</summary>
    /// <param name="now">The signing time.</param>
    /// <returns>The compact JWT.</returns>
    public string WebSocketJwt(DateTimeOffset now) => Sign(null, now);

    /// <summary>Releases the key material; signing afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _ecdsa?.Dispose();
            _ed25519?.Dispose();
        }
    }

    private string Sign(string? uri, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        var header = Json(w =>
        {
            w.WriteString("alg", Algorithm);
            w.WriteString("kid", Name);
            w.WriteString("nonce", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            w.WriteString("typ", "JWT");
        });
        var claims = Json(w =>
        {
            w.WriteString("sub", Name);
            w.WriteString("iss", Issuer);
            w.WriteNumber("nbf", seconds);
            w.WriteNumber("exp", seconds + (long)TokenLifetime.TotalSeconds);
            if (uri is not null)
            {
                w.WriteString("uri", uri);
            }
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        var data = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            signature = _ecdsa is not null
                ? _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                : SignatureAlgorithm.Ed25519.Sign(_ed25519!, data);
        }
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > KeyFileBytesMax)
            {
                throw new CdpKeyException(path, $"is {stream.Length} bytes, more than a key file's {KeyFileBytesMax}");
            }
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CdpKeyException(path, "does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CdpKeyException(path, "cannot be read (permission denied)");
        }
        catch (IOException e)
        {
            throw new CdpKeyException(path, $"cannot be read ({e.GetType().Name})");
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static CdpApiKey FromPem(string path, string name, string pem)
    {
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new CdpKeyException(path, "privateKey is an encrypted PEM; Coinbase's keys are not encrypted, and this reader takes none");
        }
        var ecdsa = ECDsa.Create();
        try
        {
            try
            {
                ecdsa.ImportFromPem(pem.Replace("\\n", "\n", StringComparison.Ordinal));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new CdpKeyException(path, "privateKey is a PEM but not an EC private key (SEC1 'EC PRIVATE KEY' or PKCS#8 'PRIVATE KEY')");
            }
            var curve = ecdsa.ExportParameters(false).Curve;
            if (!curve.IsNamed || !(curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1"))
            {
                throw new CdpKeyException(path, $"privateKey is an EC key on {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "an unnamed curve"}; ES256 needs P-256");
            }
            return new CdpApiKey(name, ecdsa, null);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    private static CdpApiKey FromEd25519(string path, string name, string text)
    {
        var bytes = new byte[text.Length];
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), bytes, out var length))
            {
                throw new CdpKeyException(path, "privateKey is neither a PEM EC key nor base64 of an Ed25519 key");
            }
            if (length is not (32 or 64))
            {
                throw new CdpKeyException(path, $"privateKey decodes to {length} bytes; an Ed25519 key is 32 (the seed) or 64 (seed and public key)");
            }
            var key = Key.Import(SignatureAlgorithm.Ed25519, bytes.AsSpan(0, 32), KeyBlobFormat.RawPrivateKey);
            if (length == 64 && !key.PublicKey.Export(KeyBlobFormat.RawPublicKey).AsSpan().SequenceEqual(bytes.AsSpan(32, 32)))
            {
                key.Dispose();
                throw new CdpKeyException(path, "privateKey's second half is not the public key of its first (the seed): the key is damaged");
            }
            return new CdpApiKey(name, null, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}

/// <summary>A CDP API key file could not be used. The message names the file and what is wrong, never the key.</summary>
public sealed class CdpKeyException : Exception
{
    /// <summary>A problem with the key file at <paramref name="path"/>.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="problem">What is wrong, in words that quote nothing of the key.</param>
    public CdpKeyException(string path, string problem)
        : base($"CDP API key file {path}: {problem}")
    {
        Path = path;
    }

    /// <summary>The key file.</summary>
    public string Path { get; }
}
