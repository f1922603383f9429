using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Linkage.Wire.Tests;

/// <summary>Text-frame helpers over a <see cref="ClientWebSocket"/>, every read bounded in time.</summary>
internal static class WsClient
{
    public static async Task SendText(this WebSocket socket, string text, CancellationToken cancel) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);

    /// <summary>The next text message, or null when the server closed (or <paramref name="timeout"/> passed).</summary>
    public static async Task<string?> ReceiveText(this WebSocket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1 << 20];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                length += result.Count;
                if (result.EndOfMessage)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    public static string Subscribe(string channel, string jwt, string type = "subscribe") =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = type, ["channel"] = channel, ["product_ids"] = Array.Empty<string>(), ["jwt"] = jwt });

    public static string? Channel(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("channel", out var c) ? c.GetString() : document.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
    }
}
