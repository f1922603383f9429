// Shared by the client scripts: where the server is (LINKAGE_READY, the server's --ready-file), bounded retries,
// a simulator control call, and the observations file the checker compares with the truth file.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const ready = JSON.parse(fs.readFileSync(process.env.LINKAGE_READY, 'utf8'));
const key = JSON.parse(fs.readFileSync(ready.keyFile, 'utf8'));
const SCRIPT_SECONDS_MAX = Number(process.env.LINKAGE_SCRIPT_SECONDS || 150);

// Every script ends within its budget, whatever the server does.
const watchdog = setTimeout(() => {
  console.error(`timeout: the script ran past ${SCRIPT_SECONDS_MAX} s`);
  process.exit(3);
}, SCRIPT_SECONDS_MAX * 1000);
watchdog.unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls fn until it succeeds, at most `attempts` times; faults (429, 503, spurious 401, resets) are expected.
async function retry(what, fn, attempts = 15) {
  let last;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      console.error(`retry ${what} (${i}/${attempts}): ${String(e && e.message ? e.message : e).slice(0, 200)}`);
      await sleep(200 * Math.min(i, 5));
    }
  }
  throw new Error(`${what} failed ${attempts} times: ${last && last.message}`);
}

// A JWT for simulator control paths, signed as Coinbase's docs describe (ES256 keys only).
function jwt(method, path) {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = { alg: 'ES256', kid: key.name, typ: 'JWT', nonce: crypto.randomBytes(16).toString('hex') };
  const payload = { iss: 'cdp', sub: key.name, nbf: now, exp: now + 120, uri: `${method} 127.0.0.1${path}` };
  const signed = `${b64(header)}.${b64(payload)}`;
  const signature = crypto.sign('sha256', Buffer.from(signed), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${signature.toString('base64url')}`;
}

// Forces every WebSocket client of the server to reconnect (the server drops the connections, no close frame).
async function dropWebSockets() {
  const path = '/sim/ws/drop';
  return retry('drop websockets', async () => {
    const response = await fetch(ready.rest + path, { method: 'POST', headers: { Authorization: `Bearer ${jwt('POST', path)}` } });
    if (response.status !== 200) throw new Error(`drop: HTTP ${response.status}`);
    return response.json();
  });
}

function assert(condition, message) {
  if (!condition) {
    throw new Error(`assertion failed: ${message}`);
  }
}

// What the client saw, for check.js: orders and trades in the client's own field names, plus notes.
function writeObserved(observed) {
  fs.writeFileSync(process.env.LINKAGE_OBSERVED, JSON.stringify(observed, null, 2) + '\n');
}

const coid = (prefix) => `${prefix}-${crypto.randomBytes(6).toString('hex')}`;

module.exports = { ready, key, sleep, retry, jwt, dropWebSockets, assert, writeObserved, coid };
