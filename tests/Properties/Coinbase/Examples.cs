namespace Linkage.Properties.Coinbase;

/// <summary>
/// Realistic messages from <c>docs/formats.md</c> section 10 (one scenario: a BUY of 0.05 BTC-USD at 64250.00 filling in
/// two trades), used as the valid seeds of the tests and the fuzz.
/// </summary>
internal static class Examples
{
    public const string ClientOrderId = "3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3";
    public const string OrderId = "a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b";

    public const string CreateOrderRequest = """
        {"client_order_id":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3","product_id":"BTC-USD","side":"BUY",
         "order_configuration":{"limit_limit_gtc":{"base_size":"0.05000000","limit_price":"64250.00","post_only":false}}}
        """;

    public const string CreateOrderSuccess = """
        {"success":true,
         "success_response":{"order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","product_id":"BTC-USD","side":"BUY",
                             "client_order_id":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3"},
         "order_configuration":{"limit_limit_gtc":{"base_size":"0.05000000","limit_price":"64250.00","post_only":false}}}
        """;

    public const string CreateOrderFailure = """
        {"success":false,
         "error_response":{"error":"INSUFFICIENT_FUND","message":"Insufficient balance in source account",
                           "error_details":"","preview_failure_reason":"PREVIEW_INSUFFICIENT_FUND",
                           "new_order_failure_reason":"INSUFFICIENT_FUND"},
         "order_configuration":{"limit_limit_gtc":{"base_size":"0.05000000","limit_price":"64250.00","post_only":false}}}
        """;

    public const string CreateOrderTimeout = """{"timeout": true, "client_order_id": "3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3"}""";

    public const string UserSnapshot = """
        {"channel":"user","client_id":"","timestamp":"2025-03-14T15:09:21.412093117Z","sequence_num":1,
         "events":[{"type":"snapshot","orders":[]}]}
        """;

    public const string UserUpdate = """
        {"channel":"user","client_id":"","timestamp":"2025-03-14T15:09:26.535897932Z","sequence_num":14,
         "events":[{"type":"update","orders":[{
           "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","client_order_id":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3",
           "product_id":"BTC-USD","product_type":"SPOT","order_side":"BUY","order_type":"Limit","time_in_force":"GOOD_UNTIL_CANCELLED",
           "status":"OPEN","limit_price":"64250.00","stop_price":"","post_only":"false",
           "cumulative_quantity":"0.02","leaves_quantity":"0.03","avg_price":"64250.00","filled_value":"1285.00",
           "total_fees":"7.71","number_of_fills":"1","completion_percentage":"40.00","total_value_after_fees":"1292.71",
           "outstanding_hold_amount":"1939.065","cancel_reason":"","reject_reason":"","trigger_status":"INVALID_ORDER_TYPE",
           "creation_time":"2025-03-14T15:09:21.104332Z","start_time":"0001-01-01T00:00:00Z","end_time":"0001-01-01T00:00:00Z"}]}]}
        """;

    public const string UserUpdateFilled = """
        {"channel":"user","client_id":"","timestamp":"2025-03-14T15:09:28.535897932Z","sequence_num":15,
         "events":[{"type":"update","orders":[{
           "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","client_order_id":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3",
           "product_id":"BTC-USD","order_side":"BUY","order_type":"Limit","status":"FILLED","post_only":"false",
           "cumulative_quantity":"0.05","leaves_quantity":"0","avg_price":"64249.70","filled_value":"3212.485",
           "total_fees":"19.27491","number_of_fills":"2","creation_time":"2025-03-14T15:09:21.104332Z"}]}]}
        """;

    public const string Heartbeat = """
        {"channel":"heartbeats","client_id":"","timestamp":"2025-03-14T15:09:27.000412Z","sequence_num":16,
         "events":[{"current_time":"2025-03-14 15:09:27.000201 +0000 UTC m=+91717.52","heartbeat_counter":3050}]}
        """;

    public const string Subscriptions = """
        {"channel":"subscriptions","client_id":"","timestamp":"2025-03-14T15:09:21.300000Z","sequence_num":0,
         "events":[{"subscriptions":{"user":["BTC-USD"],"heartbeats":["heartbeats"]}}]}
        """;

    public const string LegacyReceived = """
        {"type":"received","time":"2021-06-02T14:01:05.118406Z","product_id":"BTC-USD","sequence":25810331412,
         "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","size":"0.05000000","price":"36250.00","side":"buy",
         "order_type":"limit","client_oid":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3"}
        """;

    public const string LegacyMatch = """
        {"type":"match","trade_id":189463217,"sequence":25810331990,"maker_order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b",
         "taker_order_id":"0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d","time":"2021-06-02T14:01:09.552013Z","product_id":"BTC-USD",
         "size":"0.02000000","price":"36250.00","side":"buy","user_id":"5844eceecf7e803e259d0365",
         "profile_id":"765d1549-9660-4be2-97d4-fa2d65fa3352","maker_user_id":"5844eceecf7e803e259d0365",
         "maker_profile_id":"765d1549-9660-4be2-97d4-fa2d65fa3352","maker_fee_rate":"0.004"}
        """;

    public const string LegacyDone = """
        {"type":"done","time":"2021-06-02T14:01:12.020991Z","product_id":"BTC-USD","sequence":25810332455,
         "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","reason":"filled","price":"36250.00","side":"buy","remaining_size":"0"}
        """;

    public const string LegacyOpen = """
        {"type":"open","time":"2021-06-02T14:01:05.200000Z","product_id":"BTC-USD","sequence":25810331500,
         "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","price":"36250.00","remaining_size":"0.05","side":"buy"}
        """;

    public const string LegacyChange = """
        {"type":"change","time":"2021-06-02T14:01:06.000000Z","product_id":"BTC-USD","sequence":25810331600,
         "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","old_size":"0.05","new_size":"0.04","price":"36250.00","side":"buy","reason":"STP"}
        """;

    public const string ListFills = """
        {"fills":[
         {"entry_id":"9b0f3c1e-2d4a-4c8e-8f6b-0a1b2c3d4e5f","trade_id":"c2e81f07-77aa-4d3b-9e0c-5f6a7b8c9d01",
          "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","trade_time":"2025-03-14T15:09:28.311200Z","trade_type":"FILL",
          "price":"64249.50","size":"0.03","commission":"11.56491","product_id":"BTC-USD",
          "sequence_timestamp":"2025-03-14T15:09:28.318874Z","liquidity_indicator":"MAKER","size_in_quote":false,
          "user_id":"5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","side":"BUY","retail_portfolio_id":""},
         {"entry_id":"1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d","trade_id":"8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5f6e",
          "order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","trade_time":"2025-03-14T15:09:26.402117Z","trade_type":"FILL",
          "price":"64250.00","size":"0.02","commission":"7.71","product_id":"BTC-USD",
          "sequence_timestamp":"2025-03-14T15:09:26.409551Z","liquidity_indicator":"MAKER","size_in_quote":false,
          "user_id":"5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","side":"BUY","retail_portfolio_id":""}],
         "cursor":""}
        """;

    public const string GetOrder = """
        {"order":{"order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","client_order_id":"3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3",
         "product_id":"BTC-USD","side":"BUY","status":"FILLED","order_type":"LIMIT","time_in_force":"GOOD_UNTIL_CANCELLED",
         "order_configuration":{"limit_limit_gtc":{"base_size":"0.05","limit_price":"64250.00","post_only":false}},
         "created_time":"2025-03-14T15:09:21.104332Z","last_fill_time":"2025-03-14T15:09:28.311200Z",
         "completion_percentage":"100.00","filled_size":"0.05","average_filled_price":"64249.70","filled_value":"3212.485",
         "number_of_fills":"2","total_fees":"19.27491","total_value_after_fees":"3231.75991","size_in_quote":false,
         "size_inclusive_of_fees":false,"pending_cancel":false,"settled":true,"reject_reason":"","cancel_message":"",
         "order_placement_source":"RETAIL_ADVANCED","product_type":"SPOT","outstanding_hold_amount":"0"}}
        """;

    /// <summary>A List Orders page holding the Get Order example's order and a second, open one.</summary>
    public static readonly string ListOrders = $$$"""
        {"orders":[{{{GetOrder[9..^1]}}},
         {"order_id":"b1b2b3b4-0000-4000-8000-000000000001","client_order_id":"lk-0123456789abcdef0123456789abcdef",
          "product_id":"ETH-USD","side":"SELL","status":"QUEUED","order_type":"LIMIT",
          "order_configuration":{"limit_limit_gtc":{"base_size":"1.5","limit_price":"3500","post_only":true}},
          "created_time":"2025-03-14T15:10:00Z","filled_size":"0","average_filled_price":"0","filled_value":"0",
          "number_of_fills":"0","total_fees":"0"}],
         "has_next":true,"cursor":"789100"}
        """;

    /// <summary>The strategy payload from the seed document's logs, with the client order id the webhook adds.</summary>
    public const string IntentFromSeedLog = """
        {"snapshot_id":"b042c0bb-6184-4d40-aa65-2f7c8d83a243","score":{"Buy Score":null,"Sell Score":null},
         "trigger":"roc_momo","pair":"AVNT-USD","side":"buy","size":"120","price":"0.4125",
         "timestamp":"2025-12-29T21:04:11.532Z","client_order_id":"lk-00000000000000000000000000000001"}
        """;

    /// <summary>Every valid example by the parser that reads it, for table-driven tests and the fuzz.</summary>
    public static readonly (string Name, string Json)[] WebSocket =
    [
        (nameof(UserSnapshot), UserSnapshot), (nameof(UserUpdate), UserUpdate), (nameof(UserUpdateFilled), UserUpdateFilled),
        (nameof(Heartbeat), Heartbeat), (nameof(Subscriptions), Subscriptions), (nameof(LegacyReceived), LegacyReceived),
        (nameof(LegacyMatch), LegacyMatch), (nameof(LegacyDone), LegacyDone), (nameof(LegacyOpen), LegacyOpen), (nameof(LegacyChange), LegacyChange),
    ];
}
