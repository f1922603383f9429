using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Host;

/// <summary>An HTTP answer as the host reads it: the status code and the body text (JSON in Coinbase's shapes).</summary>
/// <param name="Status">The HTTP status code; 0 when no answer came at all (a reset connection, a timeout).</param>
/// <param name="Body">The body text; empty when there was none.</param>
public readonly record struct RestResponse(int Status, string Body)
{
    /// <summary>Whether the request succeeded (200).</summary>
    public bool IsOk => Status == 200;
}

/// <summary>A REST request the host asks its driver to make (Coinbase Advanced Trade paths: docs/formats.md).</summary>
public abstract record RestCall;

/// <summary><c>GET /orders/historical/{order_id}</c>; 404 for an unknown order.</summary>
/// <param name="OrderId">The exchange order id.</param>
public sealed record GetOrderCall(string OrderId) : RestCall;

/// <summary><c>GET /orders/historical/batch?order_status=OPEN</c>, one page.</summary>
/// <param name="Cursor">The cursor of the page before, or null for the first page.</param>
/// <param name="Limit">Most orders in the page.</param>
public sealed record ListOpenOrdersCall(string? Cursor, int Limit) : RestCall;

/// <summary><c>GET /orders/historical/fills?order_ids=...</c>, one page.</summary>
/// <param name="OrderIds">The exchange order ids asked about (at most <see cref="HostOptions.OrderIdsPerFillsRequestMax"/>).</param>
/// <param name="Cursor">The cursor of the page before, or null for the first page.</param>
/// <param name="Limit">Most fills in the page.</param>
public sealed record ListFillsCall(ImmutableArray<string> OrderIds, string? Cursor, int Limit) : RestCall
{
    /// <inheritdoc />
    public bool Equals(ListFillsCall? other) =>
        other is not null && Cursor == other.Cursor && Limit == other.Limit && OrderIds.SequenceEqual(other.OrderIds, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Cursor, Limit, OrderIds.Length);
}

/// <summary><c>GET /orders/historical/fills?start_sequence_timestamp=...</c>: every fill of the account since a time, one page.</summary>
/// <param name="Start">The earliest fill time asked for.</param>
/// <param name="Cursor">The cursor of the page before, or null for the first page.</param>
/// <param name="Limit">Most fills in the page.</param>
public sealed record ListFillsSinceCall(DateTimeOffset Start, string? Cursor, int Limit) : RestCall;

/// <summary>
/// What the host asks its driver to do. The host never does I/O itself: a driver (the simulator's, over a virtual
/// clock and the simulated exchange; or a live one, over HTTP and a WebSocket) carries each command out, in the order
/// given, and reports what happened as the host's events.
/// </summary>
public abstract record HostCommand;

/// <summary>
/// Send a create-order request. Answer with <see cref="WebhookHost.CreateOrderAnswered"/>, or with nothing at all
/// when no answer comes: the host's own timer covers that.
/// </summary>
/// <param name="ClientOrderId">The client order id the request carries.</param>
/// <param name="RequestJson">The request body, ready to send.</param>
public sealed record SendCreateOrder(ClientOrderId ClientOrderId, string RequestJson) : HostCommand;

/// <summary>Make a REST request and answer with <see cref="WebhookHost.RestAnswered"/> under the same id.</summary>
/// <param name="RequestId">The id the answer must carry.</param>
/// <param name="Call">What to ask.</param>
public sealed record SendRest(long RequestId, RestCall Call) : HostCommand;

/// <summary>
/// Open the WebSocket (closing any other) and subscribe to the host's channels (<c>heartbeats</c> and <c>user</c>, or
/// the legacy feed); deliver every message with <see cref="WebhookHost.FeedMessage"/>.
/// </summary>
public sealed record OpenFeed : HostCommand;

/// <summary>Call <see cref="WebhookHost.TimerFired"/> with this id at <paramref name="At"/> (or as soon after as the driver can).</summary>
/// <param name="TimerId">The id to report.</param>
/// <param name="At">When the timer fires.</param>
public sealed record SetTimer(long TimerId, DateTimeOffset At) : HostCommand;

/// <summary>Append a line to the capture file (docs/capture.md), when capturing.</summary>
/// <param name="Kind">The capture line's kind, as written in the file.</param>
/// <param name="Json">The raw JSON the line carries.</param>
public sealed record WriteCapture(string Kind, string Json) : HostCommand;
