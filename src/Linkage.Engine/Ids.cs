using System.Diagnostics.CodeAnalysis;

namespace Linkage.Engine;

/// <summary>
/// Our key for an order, minted from the intent before the order is sent (see <see cref="ClientOrderIds"/>).
/// Invariant: ASCII <c>[A-Za-z0-9-]</c>, 1 to <see cref="Limits.ClientOrderIdLengthMax"/> characters.
/// An intent that arrives with an id minted elsewhere keeps that id, so not every valid id carries our prefix.
/// </summary>
public readonly record struct ClientOrderId
{
    private ClientOrderId(string value) => Value = value;

    /// <summary>The id as sent to the exchange.</summary>
    public string Value { get; }

    /// <summary>Whether the id carries the prefix this engine mints (<see cref="ClientOrderIds.Prefix"/>).</summary>
    public bool IsMintedByLinkage => Value.StartsWith(ClientOrderIds.Prefix, StringComparison.Ordinal);

    /// <summary>Validates <paramref name="value"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryCreate(string? value, out ClientOrderId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "client order id is missing";
            return false;
        }
        if (value.Length > Limits.ClientOrderIdLengthMax)
        {
            error = $"client order id is {value.Length} characters, more than {Limits.ClientOrderIdLengthMax}";
            return false;
        }
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-'))
            {
                error = $"client order id has a character outside [A-Za-z0-9-] (U+{(int)c:X4})";
                return false;
            }
        }
        id = new ClientOrderId(value);
        error = null;
        return true;
    }

    /// <summary>Creates an id that is known to be valid; throws on a programmer error.</summary>
    public static ClientOrderId From(string value) =>
        TryCreate(value, out var id, out var error) ? id : throw new ArgumentException(error, nameof(value));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The exchange's id for an order. Invariant: non-empty, at most <see cref="Limits.ExchangeIdLengthMax"/> characters, no U+0000.</summary>
public readonly record struct ExchangeOrderId
{
    private ExchangeOrderId(string value) => Value = value;

    /// <summary>The id as the exchange wrote it.</summary>
    public string Value { get; }

    /// <summary>Validates <paramref name="value"/>: the id, or false with the reason in <paramref name="error"/>.</summary>
    public static bool TryCreate(string? value, out ExchangeOrderId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "exchange order id is missing";
            return false;
        }
        if (value.Length > Limits.ExchangeIdLengthMax)
        {
            error = $"exchange order id is {value.Length} characters, more than {Limits.ExchangeIdLengthMax}";
            return false;
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            error = "exchange order id holds U+0000 (NUL), which no store's text can keep";
            return false;
        }
        id = new ExchangeOrderId(value);
        error = null;
        return true;
    }

    /// <summary>The exchange order id <paramref name="value"/>; throws when it is not valid (see <see cref="TryCreate"/>).</summary>
    public static ExchangeOrderId From(string value) =>
        TryCreate(value, out var id, out var error) ? id : throw new ArgumentException(error, nameof(value));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>A product symbol such as <c>BTC-USD</c>. Invariant: non-empty, at most <see cref="Limits.ProductIdLengthMax"/> characters, no U+0000.</summary>
public readonly record struct ProductId
{
    private ProductId(string value) => Value = value;

    /// <summary>The product id as Coinbase writes it (<c>BTC-USD</c>).</summary>
    public string Value { get; }

    /// <summary>Validates <paramref name="value"/>: the id, or false with the reason in <paramref name="error"/>.</summary>
    public static bool TryCreate(string? value, out ProductId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "product id is missing";
            return false;
        }
        if (value.Length > Limits.ProductIdLengthMax)
        {
            error = $"product id is {value.Length} characters, more than {Limits.ProductIdLengthMax}";
            return false;
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            error = "product id holds U+0000 (NUL), which no store's text can keep";
            return false;
        }
        id = new ProductId(value);
        error = null;
        return true;
    }

    /// <summary>The product id <paramref name="value"/>; throws when it is not valid (see <see cref="TryCreate"/>).</summary>
    public static ProductId From(string value) =>
        TryCreate(value, out var id, out var error) ? id : throw new ArgumentException(error, nameof(value));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>The strategy decision an entry was made from (usually a UUID). Invariant: non-empty, at most <see cref="Limits.SnapshotIdLengthMax"/> characters, no U+0000.</summary>
public readonly record struct SnapshotId
{
    private SnapshotId(string value) => Value = value;

    /// <summary>The id as the strategy wrote it.</summary>
    public string Value { get; }

    /// <summary>Validates <paramref name="value"/>: the id, or false with the reason in <paramref name="error"/>.</summary>
    public static bool TryCreate(string? value, out SnapshotId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "snapshot id is missing";
            return false;
        }
        if (value.Length > Limits.SnapshotIdLengthMax)
        {
            error = $"snapshot id is {value.Length} characters, more than {Limits.SnapshotIdLengthMax}";
            return false;
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            error = "snapshot id holds U+0000 (NUL), which no store's text can keep";
            return false;
        }
        id = new SnapshotId(value);
        error = null;
        return true;
    }

    /// <summary>The snapshot id <paramref name="value"/>; throws when it is not valid (see <see cref="TryCreate"/>).</summary>
    public static SnapshotId From(string value) =>
        TryCreate(value, out var id, out var error) ? id : throw new ArgumentException(error, nameof(value));

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>Where a trade-level fill came from; each source has its own key space.</summary>
public enum FillSource
{
    /// <summary>REST List Fills row, keyed by <c>entry_id</c> (unique per row, including correction rows).</summary>
    RestFills,

    /// <summary>Legacy Exchange feed <c>match</c>, keyed by product and integer <c>trade_id</c>.</summary>
    LegacyMatch,
}

/// <summary>
/// The idempotency key of one trade-level fill: the exchange order it belongs to, its source and the source's key.
/// Two deliveries of the same row have equal keys; the store keeps every key it has seen, beyond retention.
/// </summary>
public readonly record struct FillKey(ExchangeOrderId Order, FillSource Source, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Order.Value}/{Source}/{Key}";
}
