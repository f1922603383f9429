namespace Linkage.Coinbase;

/// <summary>
/// The single entry of an <c>order_configuration</c> object (<c>limit_limit_gtc{base_size, limit_price, post_only}</c>,
/// <c>market_market_ioc{quote_size}</c>, ...). Keys whose value is null are ignored; exactly one must remain.
/// </summary>
internal readonly record struct OrderConfiguration(string Path, string Kind, decimal? BaseSize, decimal? QuoteSize, decimal? LimitPrice, bool? PostOnly)
{
    private const int KindLengthMax = 64;

    /// <summary><c>stop_trigger_price</c> (brackets) or <c>stop_price</c> (stop-limit orders), when the configuration has one.</summary>
    public decimal? StopPrice { get; init; }

    public static OrderConfiguration? Read(Node parent, FieldReader r, Presence presence, string key = "order_configuration")
    {
        if (r.Object(parent, key, presence) is not { } configuration)
        {
            return null;
        }
        Node? entry = null;
        var kind = "";
        foreach (var property in configuration.Element.EnumerateObject())
        {
            if (property.Value.ValueKind == System.Text.Json.JsonValueKind.Null)
            {
                continue;
            }
            if (entry is not null)
            {
                r.Fail(configuration.Path, $"has more than one configuration ('{kind}' and '{TextBounds.Excerpt(property.Name)}')");
                return null;
            }
            kind = property.Name;
            entry = new Node(property.Value, configuration.Child(property.Name));
        }
        if (entry is not { } body)
        {
            r.Fail(configuration.Path, "has no configuration");
            return null;
        }
        if (kind.Length > KindLengthMax)
        {
            r.Fail(configuration.Path, $"names a configuration of {kind.Length} characters, more than {KindLengthMax}");
            return null;
        }
        if (body.Element.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            r.Fail(body.Path, $"is a JSON {JsonInput.Kind(body.Element)}, expected an object");
            return null;
        }
        return new OrderConfiguration(
            body.Path,
            kind,
            r.Decimal(body, "base_size", Presence.Optional, Sign.Positive),
            r.Decimal(body, "quote_size", Presence.Optional, Sign.Positive),
            r.Decimal(body, "limit_price", Presence.Optional, Sign.Positive),
            r.Bool(body, "post_only", Presence.Optional))
        {
            StopPrice = r.Decimal(body, "stop_trigger_price", Presence.Optional, Sign.Positive)
                ?? r.Decimal(body, "stop_price", Presence.Optional, Sign.Positive),
        };
    }
}
