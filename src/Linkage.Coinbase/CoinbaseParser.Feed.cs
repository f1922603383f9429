using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Coinbase;

public static partial class CoinbaseParser
{
    private const int ChannelLengthMax = 64;
    private const int ClientIdLengthMax = 256;
    private const int LegacyTypeLengthMax = 32;
    private const int LegacyOrderTypeLengthMax = 32;

    /// <summary>Legacy message types that carry nothing for linkage; they are returned as <see cref="LegacyOther"/>, not refused.</summary>
    private static readonly ImmutableHashSet<string> LegacyIgnoredTypes = ImmutableHashSet.Create(
        StringComparer.Ordinal, "subscriptions", "heartbeat", "activate", "error", "ticker", "l2update", "snapshot", "last_match", "status");

    private static FeedMessage? ReadFeedMessage(Node root, FieldReader r)
    {
        if (r.TryGet(root, "channel", out _))
        {
            return ReadEnvelope(root, r);
        }
        if (r.TryGet(root, "type", out _))
        {
            return ReadLegacy(root, r);
        }
        r.Fail("channel", "is missing (and there is no legacy 'type' either)");
        return null;
    }

    private static AdvancedTradeMessage? ReadEnvelope(Node root, FieldReader r)
    {
        var channel = r.String(root, "channel", Presence.Required, ChannelLengthMax);
        var clientId = ReadClientId(root, r);
        var timestamp = r.Time(root, "timestamp", Presence.Required);
        var sequence = r.Integer(root, "sequence_num", Presence.Required);
        if (r.Failed)
        {
            return null;
        }
        var at = timestamp!.Value;
        var seq = sequence!.Value;
        return channel!.ToLowerInvariant() switch
        {
            "user" => ReadUserChannel(root, r, clientId, at, seq),
            "heartbeats" => ReadHeartbeats(root, r, clientId, at, seq),
            "subscriptions" => ReadSubscriptions(root, r, clientId, at, seq),
            _ => new OtherChannelMessage(channel, clientId, at, seq),
        };
    }

    /// <summary>The prose docs send <c>client_id: ""</c>, production omits it: both are accepted, and "" is kept as "".</summary>
    private static string? ReadClientId(Node root, FieldReader r)
    {
        if (!r.TryGet(root, "client_id", out var node))
        {
            return null;
        }
        return node.Element.ValueKind == System.Text.Json.JsonValueKind.String && node.Element.GetString()!.Length == 0
            ? ""
            : r.StringValue(node, Presence.Optional, ClientIdLengthMax);
    }

    private static UserChannelMessage? ReadUserChannel(Node root, FieldReader r, string? clientId, DateTimeOffset at, long sequence)
    {
        var events = ImmutableArray.CreateBuilder<UserEvent>();
        foreach (var item in r.Array(root, "events", Presence.Required, CoinbaseLimits.EventsPerMessageMax))
        {
            var type = r.String(item, "type", Presence.Required, ChannelLengthMax);
            UserEventType? eventType = type switch
            {
                null => null,
                _ when type.Equals("snapshot", StringComparison.OrdinalIgnoreCase) => UserEventType.Snapshot,
                _ when type.Equals("update", StringComparison.OrdinalIgnoreCase) => UserEventType.Update,
                _ => null,
            };
            if (type is not null && eventType is null)
            {
                r.Fail(item.Child("type"), $"'{TextBounds.Excerpt(type)}' is neither snapshot nor update");
            }
            var orders = ImmutableArray.CreateBuilder<OrderReport>();
            foreach (var order in r.Array(item, "orders", Presence.Optional, CoinbaseLimits.OrdersPerEventMax))
            {
                if (OrderReader.Read(order, r, OrderReader.WebSocket) is { } report)
                {
                    orders.Add(report);
                }
            }
            if (r.Failed)
            {
                return null;
            }
            events.Add(new UserEvent(eventType!.Value, orders.ToImmutable()));
        }
        return r.Failed ? null : new UserChannelMessage(clientId, at, sequence, events.ToImmutable());
    }

    private static HeartbeatMessage? ReadHeartbeats(Node root, FieldReader r, string? clientId, DateTimeOffset at, long sequence)
    {
        var events = r.Array(root, "events", Presence.Required, CoinbaseLimits.EventsPerMessageMax);
        if (!r.Failed && events.Count == 0)
        {
            r.Fail("events", "is empty; a heartbeat carries one event");
        }
        long counter = 0;
        string? currentTime = null;
        foreach (var item in events)
        {
            // Several events in one message are tolerated; the last one is the newest counter.
            counter = r.Integer(item, "heartbeat_counter", Presence.Required) ?? 0;
            currentTime = r.Text(item, "current_time");
        }
        return r.Failed ? null : new HeartbeatMessage(clientId, at, sequence, counter, currentTime);
    }

    private static SubscriptionsMessage? ReadSubscriptions(Node root, FieldReader r, string? clientId, DateTimeOffset at, long sequence)
    {
        var channels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in r.Array(root, "events", Presence.Optional, CoinbaseLimits.EventsPerMessageMax))
        {
            if (r.Object(item, "subscriptions", Presence.Optional) is not { } subscriptions)
            {
                continue;
            }
            foreach (var property in subscriptions.Element.EnumerateObject())
            {
                if (property.Name.Length is 0 or > ChannelLengthMax)
                {
                    r.Fail(subscriptions.Path, $"names a channel of {property.Name.Length} characters (1 to {ChannelLengthMax} accepted)");
                    break;
                }
                channels.Add(property.Name);
            }
        }
        return r.Failed ? null : new SubscriptionsMessage(clientId, at, sequence, [.. channels]);
    }

    private static LegacyMessage? ReadLegacy(Node root, FieldReader r)
    {
        var type = r.String(root, "type", Presence.Required, LegacyTypeLengthMax)?.ToLowerInvariant();
        if (r.Failed)
        {
            return null;
        }
        LegacyMessage? message = type switch
        {
            "received" => ReadReceived(root, r),
            "open" => ReadOpen(root, r),
            "match" => ReadMatch(root, r),
            "done" => ReadDone(root, r),
            "change" => ReadChange(root, r),
            _ when LegacyIgnoredTypes.Contains(type!) => new LegacyOther(type!),
            _ => null,
        };
        if (message is null && !r.Failed)
        {
            r.Fail("type", $"'{TextBounds.Excerpt(type!)}' is not a feed message type this reader knows");
        }
        return r.Failed ? null : message;
    }

    /// <summary>The fields every legacy order message starts with.</summary>
    private readonly record struct LegacyHead(DateTimeOffset? Time, ProductId? Product, long? Sequence, ExchangeOrderId OrderId);

    private static LegacyHead ReadHead(Node root, FieldReader r) => new(
        r.Time(root, "time", Presence.Optional),
        r.ProductId(root, "product_id", Presence.Optional),
        r.Integer(root, "sequence", Presence.Optional),
        r.ExchangeOrderId(root, "order_id", Presence.Required) ?? default);

    private static LegacyReceived ReadReceived(Node root, FieldReader r)
    {
        var h = ReadHead(root, r);
        return new(h.Time, h.Product, h.Sequence, h.OrderId,
            r.ForeignClientOrderId(root, "client_oid"),
            r.Side(root, "side", Presence.Required) ?? default,
            r.String(root, "order_type", Presence.Optional, LegacyOrderTypeLengthMax),
            r.Decimal(root, "size", Presence.Optional, Sign.Positive),
            r.Decimal(root, "price", Presence.Optional, Sign.Positive),
            r.Decimal(root, "funds", Presence.Optional, Sign.Positive));
    }

    private static LegacyOpen ReadOpen(Node root, FieldReader r)
    {
        var h = ReadHead(root, r);
        return new(h.Time, h.Product, h.Sequence, h.OrderId,
            r.Side(root, "side", Presence.Optional),
            r.Decimal(root, "price", Presence.Optional, Sign.Positive),
            r.Decimal(root, "remaining_size", Presence.Optional));
    }

    /// <summary>
    /// The feed reports the maker's side; which order is ours follows from which user id the authenticated message adds
    /// (<c>maker_user_id</c> or <c>taker_user_id</c>; both for a self-trade). With neither, the maker is assumed.
    /// </summary>
    private static LegacyMatch ReadMatch(Node root, FieldReader r)
    {
        var makerIsUs = r.TryGet(root, "maker_user_id", out _);
        var takerIsUs = r.TryGet(root, "taker_user_id", out _);
        var role = (makerIsUs, takerIsUs) switch
        {
            (true, true) => MatchRole.Both,
            (false, true) => MatchRole.Taker,
            _ => MatchRole.Maker,
        };
        var maker = r.ExchangeOrderId(root, "maker_order_id", Presence.Required) ?? default;
        var taker = r.ExchangeOrderId(root, "taker_order_id", Presence.Required) ?? default;
        if (!r.Failed && maker == taker)
        {
            r.Fail("taker_order_id", "is the same order as maker_order_id");
        }
        return new LegacyMatch(
            r.Time(root, "time", Presence.Optional),
            r.ProductId(root, "product_id", Presence.Required) ?? default,
            r.Integer(root, "sequence", Presence.Optional),
            r.Integer(root, "trade_id", Presence.Required) ?? 0,
            maker,
            taker,
            r.Side(root, "side", Presence.Required) ?? default,
            r.Decimal(root, "size", Presence.Required, Sign.Positive) ?? 0,
            r.Decimal(root, "price", Presence.Required, Sign.Positive) ?? 0,
            role,
            FeeRate(root, r, "maker_fee_rate"),
            FeeRate(root, r, "taker_fee_rate"));
    }

    /// <summary>A fee rate is a fraction of notional: above 1 it is corrupt input, not a fee.</summary>
    private static decimal? FeeRate(Node root, FieldReader r, string name)
    {
        var rate = r.Decimal(root, name, Presence.Optional);
        if (rate > 1)
        {
            r.Fail(root.Child(name), $"is {Invariant(rate.Value)}; a fee rate is at most 1");
            return null;
        }
        return rate;
    }

    private static LegacyDone ReadDone(Node root, FieldReader r)
    {
        var reason = r.String(root, "reason", Presence.Required, LegacyTypeLengthMax);
        if (reason is not null && !reason.Equals("filled", StringComparison.OrdinalIgnoreCase) && !reason.Equals("canceled", StringComparison.OrdinalIgnoreCase))
        {
            r.Fail("reason", $"'{TextBounds.Excerpt(reason)}' is neither filled nor canceled");
        }
        var h = ReadHead(root, r);
        return new LegacyDone(h.Time, h.Product, h.Sequence, h.OrderId,
            reason ?? "",
            r.Side(root, "side", Presence.Optional),
            r.Decimal(root, "remaining_size", Presence.Optional),
            r.Text(root, "cancel_reason"));
    }

    private static LegacyChange ReadChange(Node root, FieldReader r)
    {
        var h = ReadHead(root, r);
        return new(h.Time, h.Product, h.Sequence, h.OrderId,
            r.Decimal(root, "old_size", Presence.Optional),
            r.Decimal(root, "new_size", Presence.Optional),
            r.Decimal(root, "old_price", Presence.Optional),
            r.Decimal(root, "new_price", Presence.Optional),
            r.Text(root, "reason"));
    }
}
