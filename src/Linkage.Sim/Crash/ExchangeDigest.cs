using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linkage.Sim.Exchange;

namespace Linkage.Sim.Crash;

/// <summary>A digest of everything the exchange holds that a webhook's actions change: its orders, their states and fills.</summary>
public static class ExchangeDigest
{
    /// <summary>Hex SHA-256 over the orders in the exchange's own order, each with its status, quantities and trades.</summary>
    public static string Of(SimulatedExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var text = new StringBuilder();
        foreach (var order in exchange.Orders)
        {
            text.Append(CultureInfo.InvariantCulture, $"{order.OrderId}|{order.ClientOrderId}|{order.Status}|{order.Size}|{order.CumulativeQuantity}|{order.TotalFees}");
            foreach (var trade in order.Trades)
            {
                text.Append(CultureInfo.InvariantCulture, $"|{trade.TradeId}:{trade.Size}@{trade.Price}");
            }
            text.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
