// ccxt 4.5.84 (coinbase, with ccxt.pro's watchOrders) against `linkage exchange`, used as it ships: only its URLs
// are pointed at the server. Places orders with our own client order ids, watches the user channel through a forced
// reconnect, pages its trades, cancels, and writes what it saw for check.js.
'use strict';
const ccxt = require('ccxt');
const { ready, key, sleep, retry, dropWebSockets, assert, writeObserved, coid } = require('./lib');

const UPDATES_WAIT_MS = 30000;

async function main() {
  const exchange = new ccxt.pro.coinbase({ apiKey: key.name, secret: key.privateKey, enableRateLimit: false, timeout: 10000 });
  exchange.urls.api.rest = ready.rest;
  exchange.urls.api.ws = ready.ws;
  const notes = [];
  await retry('loadMarkets', () => exchange.loadMarkets());
  assert(exchange.markets['BTC/USD'], 'BTC/USD is loaded from the market products');

  // Our own id reaches the exchange only as the raw Coinbase parameter: ccxt drops its unified clientOrderId here.
  const ours = coid('ours');
  const unifiedId = coid('unified');
  const sold = coid('sold');
  const resting = coid('rest');
  const create = (id, ...args) => retry(`createOrder ${id}`, () => exchange.createOrder(...args));
  const a = await create(ours, 'BTC/USD', 'limit', 'buy', 0.01, 70000, { client_order_id: ours });
  assert(a.clientOrderId === ours, `raw client_order_id is kept (got ${a.clientOrderId})`);
  let b;
  for (let i = 0; i < 15; i++) {
    try {
      b = await exchange.createOrder('BTC/USD', 'limit', 'buy', 0.001, 70000, { clientOrderId: unifiedId });
      break;
    } catch (e) {
      console.error(`retry unified createOrder: ${e.message}`);
      await sleep(300);
    }
  }
  assert(b, 'the order with a unified clientOrderId was placed');
  assert(b.clientOrderId !== unifiedId && b.clientOrderId.startsWith('ccxt-'), `ccxt replaces a unified clientOrderId (got ${b.clientOrderId})`);
  notes.push(`unified clientOrderId '${unifiedId}' was replaced by ccxt with '${b.clientOrderId}'; pass { client_order_id } to keep yours`);
  const c = await create(sold, 'BTC/USD', 'market', 'sell', 0.02, undefined, { client_order_id: sold });
  const d = await create(resting, 'BTC/USD', 'limit', 'buy', 0.01, 1000, { client_order_id: resting });
  const ids = new Map([[a.id, ours], [b.id, b.clientOrderId], [c.id, sold], [d.id, resting]]);

  // The user channel: updates for our orders, then a forced reconnect, then an order placed after it must show up too.
  const updates = new Map();
  const watchUntil = async (done, what) => {
    const deadline = Date.now() + UPDATES_WAIT_MS;
    while (!done() && Date.now() < deadline) {
      try {
        const orders = await Promise.race([exchange.watchOrders(), sleep(5000).then(() => [])]);
        for (const o of orders) updates.set(o.id, o);
      } catch (e) {
        console.error(`watchOrders: ${e.message}`);
        await sleep(200);
      }
    }
    assert(done(), `watchOrders saw ${what} within ${UPDATES_WAIT_MS} ms`);
  };
  await watchUntil(() => updates.size > 0, 'an update');
  const dropped = await dropWebSockets();
  notes.push(`forced reconnect dropped ${dropped.dropped} connection(s)`);
  // Placed after the drop: a resting order shows up in the new connection's snapshot or as an update (whichever side
  // of the resubscribe it lands on); its cancel, sent once it was seen, can only arrive as an update on the new connection.
  const after = coid('after');
  const e = await create(after, 'BTC/USD', 'limit', 'buy', 0.005, 1000, { client_order_id: after });
  ids.set(e.id, after);
  await watchUntil(() => updates.has(e.id) && updates.get(e.id).clientOrderId === after, 'the order placed after the reconnect');
  await retry('cancelOrder after', () => exchange.cancelOrder(e.id, 'BTC/USD'));
  await watchUntil(() => updates.get(e.id).status === 'canceled', 'the cancel of that order as an update after the reconnect');

  // Wait for the crossing limit orders to fill, then cancel the resting one.
  for (let i = 0; i < 60; i++) {
    const states = await Promise.all([a.id, b.id].map((id) => retry(`fetchOrder ${id}`, () => exchange.fetchOrder(id, 'BTC/USD'))));
    if (states.every((o) => o.status === 'closed')) break;
    await sleep(500);
  }
  const canceled = await retry('cancelOrder', () => exchange.cancelOrder(d.id, 'BTC/USD'));
  assert(canceled.id === d.id, 'cancelOrder answers for the order');
  const open = await retry('fetchOpenOrders', () => exchange.fetchOpenOrders('BTC/USD'));
  assert(!open.some((o) => o.id === d.id), 'a canceled order is not open');
  const all = await retry('fetchOrders', () => exchange.fetchOrders('BTC/USD', undefined, 100));
  for (const id of ids.keys()) assert(all.some((o) => o.id === id), `fetchOrders lists ${id}`);

  const orders = [];
  for (const [id, clientOrderId] of ids) {
    const o = await retry(`fetchOrder ${id}`, () => exchange.fetchOrder(id, 'BTC/USD'));
    assert(o.clientOrderId === clientOrderId, `fetchOrder keeps the client order id of ${id}`);
    orders.push({ id: o.id, clientOrderId: o.clientOrderId, status: o.status, filled: o.filled, remaining: o.remaining, average: o.average, fee: o.fee ? o.fee.cost : undefined });
  }

  // Trades, a page of 2 at a time through the cursor (ccxt's paginate).
  const trades = await retry('fetchMyTrades', () => exchange.fetchMyTrades('BTC/USD', undefined, undefined, { paginate: true, paginationCalls: 200, maxEntriesPerRequest: 2 }));
  const mine = trades.filter((t) => ids.has(t.order));
  assert(mine.length >= 3, `fetchMyTrades paged through our trades (${mine.length})`);
  await exchange.close();
  writeObserved({
    client: 'ccxt',
    unifiedStatus: true,
    orders,
    trades: mine.map((t) => ({ id: t.id, order: t.order, amount: t.amount, price: t.price, fee: t.fee ? t.fee.cost : undefined })),
    fillsOf: [...ids.keys()],
    notes,
  });
  console.log(`ccxt: ${orders.length} orders, ${mine.length} trades; ${notes.join('; ')}`);
}

main().then(() => process.exit(0), (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
