// coinbase-api 1.2.6 (tiagosiebler) against `linkage exchange`, used as it ships with its baseUrl and wsUrl options
// pointed at the server and its own ping timing (ping every 10 s, a pong expected within 1 s). REST with raw Coinbase
// parameters, the user channel through a forced reconnect (the client reconnects and resubscribes by itself).
// The client rewrites any client_order_id that does not start with 'cbnode' (its broker prefix), so ours carry it.
'use strict';
const { CBAdvancedTradeClient, WebsocketClient } = require('coinbase-api');
const { ready, key, sleep, retry, dropWebSockets, assert, writeObserved, coid } = require('./lib');

async function main() {
  const rest = new CBAdvancedTradeClient({ apiKey: key.name, apiSecret: key.privateKey, baseUrl: ready.rest });
  const ws = new WebsocketClient({ apiKey: key.name, apiSecret: key.privateKey, wsUrl: ready.ws });
  const updates = [];
  const sequences = [];
  let reconnected = 0;
  ws.on('update', (data) => {
    if (data.channel === 'user') {
      for (const ev of data.events || []) for (const o of ev.orders || []) updates.push({ type: ev.type, order: o });
    }
    if (typeof data.sequence_num === 'number') sequences.push(data.sequence_num);
  });
  // A reconnect shows as a second 'open' (this version emits 'reconnect' as it starts again, not always 'reconnected').
  let opened = 0;
  ws.on('open', () => { opened++; if (opened > 1) reconnected++; });
  // The client hands the subscriptions acknowledgement to 'response' listeners, everything else to 'update'.
  ws.on('response', (data) => { if (typeof data.sequence_num === 'number') sequences.push(data.sequence_num); });
  ws.on('exception', (e) => console.error('ws exception', JSON.stringify(e).slice(0, 200)));
  ws.subscribe([{ topic: 'heartbeats' }, { topic: 'user', payload: { product_ids: ['BTC-USD'] } }], 'advTradeUserData');

  const products = await retry('getPublicProducts', () => rest.getPublicProducts());
  assert(products.products.some((p) => p.product_id === 'BTC-USD'), 'BTC-USD is listed');

  const place = (clientOrderId, configuration, side = 'BUY') => retry(`submitOrder ${clientOrderId}`, async () => {
    const answer = await rest.submitOrder({ client_order_id: clientOrderId, product_id: 'BTC-USD', side, order_configuration: configuration });
    assert(answer.success === true, `order ${clientOrderId} placed: ${JSON.stringify(answer).slice(0, 300)}`);
    assert(answer.success_response.client_order_id === clientOrderId, 'the answer names our client order id');
    return answer.success_response.order_id;
  });
  const ids = new Map();
  const a = coid('cbnode-a');
  ids.set(await place(a, { limit_limit_gtc: { base_size: '0.01', limit_price: '70000.00', post_only: false } }), a);
  const m = coid('cbnode-m');
  ids.set(await place(m, { market_market_ioc: { base_size: '0.015' } }, 'SELL'), m);
  const r = coid('cbnode-r');
  const restingId = await place(r, { limit_limit_gtc: { base_size: '0.01', limit_price: '1000.00', post_only: false } });
  ids.set(restingId, r);
  const again = await place(r, { limit_limit_gtc: { base_size: '0.01', limit_price: '1000.00', post_only: false } });
  assert(again === restingId, 'a client order id already used returns the same order');

  const waitFor = async (what, done, ms = 30000) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await sleep(100);
    assert(done(), `${what} within ${ms} ms`);
  };
  await waitFor('updates for our orders', () => updates.some((u) => u.type === 'update' && ids.has(u.order.order_id)));
  await dropWebSockets();
  await waitFor('the client to reconnect by itself', () => reconnected > 0);
  // Placed after the drop and resting: it is in the new connection's snapshot or an update; its cancel can only be an update.
  const b = coid('cbnode-b');
  const bId = await place(b, { limit_limit_gtc: { base_size: '0.005', limit_price: '1000.00', post_only: false } });
  ids.set(bId, b);
  await waitFor('the order placed after the reconnect', () => updates.some((u) => u.order.order_id === bId && u.order.client_order_id === b));
  const cancelB = await retry('cancelOrders', () => rest.cancelOrders({ order_ids: [bId] }));
  assert(cancelB.results[0].success === true, 'cancel succeeded');
  await waitFor('its cancel as an update after the reconnect', () => updates.some((u) => u.type === 'update' && u.order.order_id === bId && u.order.status === 'CANCELLED'));

  for (let i = 0; i < 60; i++) {
    const states = await Promise.all([...ids.keys()].filter((id) => id !== restingId && id !== bId).map((id) => retry('getOrder', () => rest.getOrder({ order_id: id }))));
    if (states.every((s) => s.order.status === 'FILLED')) break;
    await sleep(500);
  }
  const cancel = await retry('cancelOrders', () => rest.cancelOrders({ order_ids: [restingId] }));
  assert(cancel.results[0].success === true, 'cancel succeeded');

  const listed = await retry('getOrders', () => rest.getOrders({ product_ids: ['BTC-USD'], limit: 100 }));
  for (const id of ids.keys()) assert(listed.orders.some((o) => o.order_id === id), `getOrders lists ${id}`);

  const orders = [];
  for (const [id, clientOrderId] of ids) {
    const { order } = await retry('getOrder', () => rest.getOrder({ order_id: id }));
    assert(order.client_order_id === clientOrderId, 'getOrder keeps the client order id');
    orders.push({ id, clientOrderId: order.client_order_id, status: order.status, filled: order.filled_size, average: order.average_filled_price, fee: order.total_fees });
  }
  // Fills for our orders, two per page, following the cursor to its empty end.
  const trades = [];
  let cursor = '';
  for (let page = 0; page < 200; page++) {
    const answer = await retry('getFills', () => rest.getFills({ order_ids: [...ids.keys()], limit: 2, cursor }));
    for (const f of answer.fills) trades.push({ id: f.trade_id, order: f.order_id, amount: f.size, price: f.price, fee: f.commission });
    cursor = answer.cursor;
    if (!cursor) break;
  }
  assert(!cursor, 'the fills cursor ends');
  for (let i = 1; i < sequences.length; i++) {
    // Within a connection the numbers run on by one; a reconnect starts again at 0.
    assert(sequences[i] === sequences[i - 1] + 1 || sequences[i] === 0, `sequence_num ${sequences[i - 1]} then ${sequences[i]}`);
  }
  ws.closeAll(true);
  writeObserved({ client: 'coinbase-api', unifiedStatus: false, orders, trades, fillsOf: [...ids.keys()], notes: [`reconnected ${reconnected} time(s)`, 'client_order_id must start with cbnode or the client rewrites it'] });
  console.log(`coinbase-api: ${orders.length} orders, ${trades.length} trades, ${updates.length} order updates, reconnected ${reconnected}`);
}

main().then(() => process.exit(0), (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
