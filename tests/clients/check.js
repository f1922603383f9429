// Compares what a client saw (LINKAGE_OBSERVED) with the exchange's truth file: every order the client reports has
// the truth's client order id, status, filled size, average price and fees; every trade it reports matches a truth
// trade (size, price, commission); and every trade of the client's orders was reported.
'use strict';
const fs = require('fs');

const [truthFile, observedFile] = process.argv.slice(2);
const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
const observed = JSON.parse(fs.readFileSync(observedFile, 'utf8'));
const failures = [];
const near = (a, b) => Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(b)));
const truthOrders = new Map(truth.orders.map((o) => [o.order_id, o]));
const truthTrades = new Map(truth.trades.map((t) => [t.trade_id, t]));

const unified = { FILLED: 'closed', CANCELLED: 'canceled', EXPIRED: 'expired', OPEN: 'open', PENDING: 'open' };
for (const o of observed.orders) {
  const t = truthOrders.get(o.id);
  if (!t) { failures.push(`order ${o.id}: not in the truth file`); continue; }
  if (o.clientOrderId !== t.client_order_id) failures.push(`order ${o.id}: client order id ${o.clientOrderId}, truth ${t.client_order_id}`);
  const status = observed.unifiedStatus ? unified[t.status] : t.status;
  if (o.status !== status) failures.push(`order ${o.id}: status ${o.status}, truth ${status}`);
  if (!near(o.filled, t.filled_size)) failures.push(`order ${o.id}: filled ${o.filled}, truth ${t.filled_size}`);
  if (o.fee !== undefined && !near(o.fee, t.total_fees)) failures.push(`order ${o.id}: fee ${o.fee}, truth ${t.total_fees}`);
  if (o.average !== undefined && Number(t.filled_size) > 0) {
    const average = Number(t.filled_value) / Number(t.filled_size);
    if (Math.abs(Number(o.average) - average) > 1e-6 * average) failures.push(`order ${o.id}: average ${o.average}, truth ${average}`);
  }
  if (o.remaining !== undefined && t.status === 'FILLED' && !near(o.remaining, 0)) failures.push(`order ${o.id}: remaining ${o.remaining} of a filled order`);
}
const seen = new Set();
for (const tr of observed.trades) {
  const t = truthTrades.get(tr.id);
  if (!t) { failures.push(`trade ${tr.id}: not in the truth file`); continue; }
  if (seen.has(tr.id)) failures.push(`trade ${tr.id}: reported twice`);
  seen.add(tr.id);
  if (tr.order !== t.order_id) failures.push(`trade ${tr.id}: order ${tr.order}, truth ${t.order_id}`);
  if (!near(tr.amount, t.size)) failures.push(`trade ${tr.id}: size ${tr.amount}, truth ${t.size}`);
  if (!near(tr.price, t.price)) failures.push(`trade ${tr.id}: price ${tr.price}, truth ${t.price}`);
  if (!near(tr.fee, t.commission)) failures.push(`trade ${tr.id}: fee ${tr.fee}, truth ${t.commission}`);
}
const reportedOrders = new Set(observed.fillsOf || []);
for (const t of truth.trades) {
  if (reportedOrders.has(t.order_id) && !seen.has(t.trade_id)) failures.push(`trade ${t.trade_id} of order ${t.order_id}: never reported`);
}
if (failures.length > 0) {
  console.error(`${observed.client}: ${failures.length} disagreement(s) with the truth file:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`${observed.client}: ${observed.orders.length} orders and ${observed.trades.length} trades agree with the truth file`);
