using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Linkage.Engine;

/// <summary>
/// Mints client order ids from intents. The id is a pure function of the intent's content (not of when or how often it
/// was delivered), so a re-delivered intent maps to the same id, and Coinbase answers a re-sent create-order with the
/// existing order instead of placing a second one.
/// </summary>
public static class ClientOrderIds
{
    /// <summary>Marks ids minted by Linkage. <c>lk-</c> plus 32 hex digits: 35 characters, within <see cref="Limits.ClientOrderIdLengthMax"/>.</summary>
    public const string Prefix = "lk-";

    private const int HashHexDigits = 32;

    /// <summary>The id for <paramref name="intent"/>: its own <see cref="Intent.ClientOrderId"/> if it has one, else a hash of its content.</summary>
    public static ClientOrderId For(Intent intent)
    {
        if (intent.ClientOrderId is { } given)
        {
            return given;
        }
        var canonical = Canonical(intent);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
        var hex = Convert.ToHexStringLower(hash)[..HashHexDigits];
        return ClientOrderId.From(Prefix + hex);
    }

    /// <summary>
    /// The id of the bracket order attached to <paramref name="parent"/>. The exchange creates that order itself and gives
    /// it no client order id of ours, so the engine keys its record by an id derived from the parent's alone: whichever
    /// message reveals the child first (the create-order answer, a REST order's <c>originating_order_id</c>), and on
    /// whichever engine instance, the same record is found.
    /// </summary>
    public static ClientOrderId ForAttached(ClientOrderId parent)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("attached|" + parent.Value));
        return ClientOrderId.From(Prefix + Convert.ToHexStringLower(hash)[..HashHexDigits]);
    }

    /// <summary>The fields that make an intent what it is, in a fixed order and invariant formatting (decimals normalised).</summary>
    internal static string Canonical(Intent intent)
    {
        var b = new StringBuilder(256);
        b.Append("v1|").Append(intent.Kind).Append('|').Append(intent.Product.Value).Append('|').Append(intent.Side)
            .Append('|').Append(Normal(intent.Size)).Append('|').Append(Normal(intent.Price))
            .Append('|').Append(intent.Snapshot?.Value).Append('|').Append(Normal(intent.BuyScore))
            .Append('|').Append(Normal(intent.SellScore)).Append('|').Append(intent.Trigger)
            .Append('|').Append(intent.DecidedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        foreach (var close in intent.Closes)
        {
            b.Append('|').Append(close.Value);
        }
        // Appended only when present, so every intent without a bracket keeps the id it was minted before brackets.
        if (intent.Bracket is { } bracket)
        {
            b.Append("|bracket|").Append(Normal(bracket.TakeProfit)).Append('|').Append(Normal(bracket.StopLoss));
        }
        return b.ToString();
    }

    /// <summary>Formats a decimal without trailing zeros, so 0.0020 and 0.002 are the same intent.</summary>
    private static string Normal(decimal? value) =>
        value is null ? "" : (value.Value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
