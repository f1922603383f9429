using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Linkage.Sim.Server;

/// <summary>Why a token was refused (logged by kind, never with the token).</summary>
internal enum TokenRefusal
{
    None,
    Missing,
    Malformed,
    WrongKey,
    BadSignature,
    NotYetValid,
    Expired,
    WrongIssuer,
    WrongUri,
}

/// <summary>
/// Verifies a Coinbase CDP JWT as the real exchange does: the signature (ES256 or EdDSA) by the configured key, the
/// header <c>kid</c> and claim <c>sub</c> naming that key, <c>nbf</c>/<c>exp</c> within <see cref="ClockSkew"/>,
/// <c>iss</c> <c>cdp</c> or <c>coinbase-cloud</c>, and for REST the <c>uri</c> claim (or the first of <c>uris</c>).
/// The uri check is lenient by default (method and path only: clients build the host part differently, and the
/// simulator runs on loopback, not api.coinbase.com); strict mode also demands the host Coinbase's docs show.
/// </summary>
internal sealed class JwtVerifier(ApiKey key, bool strictUri, Func<DateTimeOffset> wallClock)
{
    /// <summary>How far <c>nbf</c> and <c>exp</c> may be off the server's clock.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(10);

    /// <summary>Longest token read; real ones are well under a kilobyte.</summary>
    public const int TokenLengthMax = 8192;

    /// <summary>The host a strict uri must name, as Coinbase's docs and SDKs build it.</summary>
    public const string CoinbaseHost = "api.coinbase.com";

    /// <summary>Checks <paramref name="token"/>; <paramref name="method"/> and <paramref name="path"/> are null for a WebSocket subscribe.</summary>
    public TokenRefusal Check(string? token, string? method, string? path)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenRefusal.Missing;
        }
        if (token.Length > TokenLengthMax)
        {
            return TokenRefusal.Malformed;
        }
        var parts = token.Split('.');
        if (parts.Length != 3 || Decode(parts[0]) is not { } headerBytes || Decode(parts[1]) is not { } payloadBytes || Decode(parts[2]) is not { } signature)
        {
            return TokenRefusal.Malformed;
        }
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            using var payload = JsonDocument.Parse(payloadBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TokenRefusal.Malformed;
            }
            var alg = Text(header.RootElement, "alg");
            if (Text(header.RootElement, "kid") != key.Name || Text(payload.RootElement, "sub") != key.Name)
            {
                return TokenRefusal.WrongKey;
            }
            if (alg is null || !key.Verify(alg, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature))
            {
                return TokenRefusal.BadSignature;
            }
            var now = wallClock().ToUnixTimeSeconds();
            var skew = (long)ClockSkew.TotalSeconds;
            if (Number(payload.RootElement, "nbf") is not { } nbf || nbf > now + skew)
            {
                return TokenRefusal.NotYetValid;
            }
            if (Number(payload.RootElement, "exp") is not { } exp || exp < now - skew)
            {
                return TokenRefusal.Expired;
            }
            if (Text(payload.RootElement, "iss") is not ("cdp" or "coinbase-cloud"))
            {
                return TokenRefusal.WrongIssuer;
            }
            if (method is not null && path is not null && !UriMatches(payload.RootElement, method, path))
            {
                return TokenRefusal.WrongUri;
            }
            return TokenRefusal.None;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            return TokenRefusal.Malformed;
        }
    }

    private bool UriMatches(JsonElement payload, string method, string path)
    {
        var uri = Text(payload, "uri");
        if (uri is null && payload.TryGetProperty("uris", out var uris) && uris.ValueKind == JsonValueKind.Array && uris.GetArrayLength() > 0 && uris[0].ValueKind == JsonValueKind.String)
        {
            uri = uris[0].GetString();
        }
        if (uri is null)
        {
            return false;
        }
        // "GET api.coinbase.com/api/v3/brokerage/orders": the method, a space, the host and the path, no query.
        var space = uri.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !string.Equals(uri[..space], method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = uri[(space + 1)..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rest = rest[..query];
        }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? rest : rest[..slash];
        var tokenPath = slash < 0 ? "/" : rest[slash..];
        return string.Equals(tokenPath, path, StringComparison.Ordinal) && (!strictUri || host == CoinbaseHost);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private static byte[]? Decode(string part)
    {
        if (part.Length == 0)
        {
            return null;
        }
        try
        {
            var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
            return Base64Url.TryDecodeFromChars(part, bytes, out var written) && written > 0 ? bytes[..written] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
