// Coinbase's sample TypeScript SDK (@coinbase-sample/advanced-trade-sdk-ts 0.3.0 on core-ts) against `linkage exchange`,
// used as it ships with its apiBasePath pointed at the server. It sends camelCase request bodies and query keys
// (clientOrderId, orderConfiguration.limitLimitGtc.baseSize, orderIds) and turns answers into camelCase; REST only.
'use strict';
const { CoinbaseAdvTradeClient, CoinbaseAdvTradeCredentials, OrdersService, PublicService } = require('@coinbase-sample/advanced-trade-sdk-ts/dist/index.js'); // 0.3.0's package.json names no main
const { ready, key, sleep, retry, assert, writeObserved, coid } = require('./lib');

// The SDK answers an error as a value rather than throwing; make it throw so retry() sees it.
const must = (what, call) => retry(what, async () => {
  const answer = await call();
  if (answer instanceof Error || (answer && answer.name && /Exception/.test(answer.name))) throw new Error(`${what}: ${answer.message || JSON.stringify(answer).slice(0, 300)}`);
  return answer;
});

async function main() {
  const client = new CoinbaseAdvTradeClient(new CoinbaseAdvTradeCredentials(key.name, key.privateKey), `${ready.rest}/api/v3/brokerage/`);
  const orders = new OrdersService(client);
  const publicService = new PublicService(client);
  const products = await must('listProducts', () => publicService.listProducts({}));
  assert(products.products.some((p) => p.productId === 'BTC-USD'), 'BTC-USD is listed (read back as productId)');

  const ids = new Map();
  const place = async (clientOrderId, orderConfiguration, side = 'BUY') => {
    const answer = await must(`createOrder ${clientOrderId}`, () => orders.createOrder({ clientOrderId, productId: 'BTC-USD', side, orderConfiguration }));
    assert(answer.success === true, `order ${clientOrderId} placed: ${JSON.stringify(answer).slice(0, 300)}`);
    assert(answer.successResponse.clientOrderId === clientOrderId, 'the answer names our client order id');
    ids.set(answer.successResponse.orderId, clientOrderId);
    return answer.successResponse.orderId;
  };
  await place(coid('sdk-a'), { limitLimitGtc: { baseSize: '0.01', limitPrice: '70000.00', postOnly: false } });
  await place(coid('sdk-m'), { marketMarketIoc: { baseSize: '0.012' } }, 'SELL');
  const restingId = await place(coid('sdk-r'), { limitLimitGtc: { baseSize: '0.01', limitPrice: '1000.00', postOnly: false } });

  for (let i = 0; i < 60; i++) {
    const states = await Promise.all([...ids.keys()].filter((id) => id !== restingId).map((orderId) => must('getOrder', () => orders.getOrder({ orderId }))));
    if (states.every((s) => s.order.status === 'FILLED')) break;
    await sleep(500);
  }
  const cancel = await must('cancelOrders', () => orders.cancelOrders({ orderIds: [restingId] }));
  assert(cancel.results[0].success === true, 'cancel succeeded');
  const listed = await must('listOrders', () => orders.listOrders({ productIds: ['BTC-USD'], limit: 100 }));
  for (const id of ids.keys()) assert(listed.orders.some((o) => o.orderId === id), `listOrders lists ${id}`);

  const observed = [];
  for (const [orderId, clientOrderId] of ids) {
    const { order } = await must('getOrder', () => orders.getOrder({ orderId }));
    assert(order.clientOrderId === clientOrderId, 'getOrder keeps the client order id');
    observed.push({ id: orderId, clientOrderId: order.clientOrderId, status: order.status, filled: order.filledSize, average: order.averageFilledPrice, fee: order.totalFees });
  }
  const trades = [];
  let cursor = '';
  for (let page = 0; page < 200; page++) {
    const answer = await must('listFills', () => orders.listFills({ orderIds: [...ids.keys()], limit: 2, cursor }));
    for (const f of answer.fills) trades.push({ id: f.tradeId, order: f.orderId, amount: f.size, price: f.price, fee: f.commission });
    cursor = answer.cursor;
    if (!cursor) break;
  }
  assert(!cursor, 'the fills cursor ends');
  writeObserved({ client: 'advanced-trade-sdk-ts', unifiedStatus: false, orders: observed, trades, fillsOf: [...ids.keys()], notes: [] });
  console.log(`advanced-trade-sdk-ts: ${observed.length} orders, ${trades.length} trades`);
}

main().then(() => process.exit(0), (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
