#!/usr/bin/env python3
"""Hand your strategy's intents to `linkage serve`, with Python's standard library only.

Two ways, pick one per order (docs/api.md):

1. Your webhook keeps placing orders itself. Before it calls Coinbase's create-order, it stages the intent with
   POST /v1/intents and puts the returned client_order_id on its own create-order:

       coid = stage_intent(intent)                  # the daemon keeps the reasons under this id
       your_coinbase_client.create_order(client_order_id=coid, ...)   # your existing code, one argument more

2. The daemon places the order: POST /v1/orders stages it, sends the create-order (retrying with the same client order
   id if the answer is lost) and returns Coinbase's answer with the client_order_id.

Either way every fill of that order is linked to the intent's snapshot_id, scores and trigger, and survives restarts of
your bot and of the daemon. Re-sending the same intent is safe: the same intent always gets the same client_order_id,
and the daemon answers 200 instead of 201.

Run as a script it sends intents read from a JSON-lines file (or stdin) and prints one JSON line per answer:

    python3 linkage_webhook.py --intake http://127.0.0.1:8080 --mode orders intents.jsonl
    python3 linkage_webhook.py --wait 120 --show intents.jsonl      # the README's quick start
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

DEFAULT_INTAKE = os.environ.get("LINKAGE_INTAKE", "http://127.0.0.1:8080")


class LinkageError(Exception):
    """The daemon refused the intent (4xx): `field` and `reason` say what to fix. Retrying will not help."""

    def __init__(self, status, code, field, reason):
        super().__init__(f"{status} {code}: {field}: {reason}")
        self.status, self.code, self.field, self.reason = status, code, field, reason


class LinkageClient:
    """A client of the daemon's intake API. Retries connection failures and 503 (daemon restarting) with backoff."""

    def __init__(self, intake=DEFAULT_INTAKE, token=None, timeout=30.0, attempts=8):
        self.intake = intake.rstrip("/")
        self.token = token if token is not None else os.environ.get("LINKAGE_TOKEN")
        self.timeout = timeout
        self.attempts = attempts

    def stage_intent(self, intent):
        """Stages the intent; returns its client_order_id. Put it on your own create-order."""
        return self._post("/v1/intents", intent)["client_order_id"]

    def place_order(self, intent):
        """Stages the intent and has the daemon place the order; returns the daemon's answer (docs/api.md)."""
        return self._post("/v1/orders", intent)

    def order(self, client_order_id):
        """The order with its links, fills and exit allocations, or None when the daemon does not know it."""
        try:
            return self._request("GET", f"/v1/orders/{client_order_id}", None)
        except LinkageError as e:
            if e.status == 404:
                return None
            raise

    def wait_ready(self, seconds):
        """Waits until the daemon answers /healthz with 200 (store reachable, feed connected); False after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.intake + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        return False

    def wait_linked(self, client_order_id, seconds=10.0):
        """The order once its links stop growing and the exchange reports it done (or after `seconds`): order, links."""
        deadline = time.monotonic() + seconds
        view = None
        while time.monotonic() < deadline:
            view = self.order(client_order_id)
            if view and view["order"]["status"] in ("FILLED", "CANCELLED", "EXPIRED", "FAILED") \
                    and view["order"]["linked_size"] == (view["order"]["exchange_filled_size"] or "0"):
                break
            time.sleep(0.25)
        return view

    def _post(self, path, intent):
        return self._request("POST", path, json.dumps(intent).encode("utf-8"))

    def _request(self, method, path, body):
        delay = 0.2
        last = None
        for _ in range(self.attempts):
            request = urllib.request.Request(self.intake + path, data=body, method=method)
            request.add_header("Content-Type", "application/json")
            if self.token:
                request.add_header("Authorization", "Bearer " + self.token)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                text = e.read().decode("utf-8", "replace")
                if e.code == 503:
                    last = f"503: {text}"
                else:
                    try:
                        error = json.loads(text)["error"]
                    except (ValueError, KeyError, TypeError):
                        error = {"code": "http_error", "field": None, "reason": text}
                    raise LinkageError(e.code, error.get("code"), error.get("field"), error.get("reason")) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                # The daemon is down or restarting: the same intent again is safe (same client_order_id).
                last = str(e)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        raise ConnectionError(f"the daemon at {self.intake} did not answer {method} {path} after {self.attempts} attempts: {last}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send intents (JSON lines) to linkage serve and print its answers.")
    parser.add_argument("file", nargs="?", help="a file of intents, one JSON object per line (default: stdin)")
    parser.add_argument("--intake", default=DEFAULT_INTAKE, help="the daemon's intake URL [%(default)s; env LINKAGE_INTAKE]")
    parser.add_argument("--mode", choices=["intents", "orders"], default="orders",
                        help="intents: stage only (you place the order); orders: the daemon places it [%(default)s]")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the daemon to be healthy [%(default)s]")
    parser.add_argument("--show", action="store_true", help="after each order, print its links once they are settled")
    args = parser.parse_args(argv)
    client = LinkageClient(args.intake)
    if args.wait and not client.wait_ready(args.wait):
        print(json.dumps({"error": f"the daemon at {args.intake} was not healthy within {args.wait:g} s"}), flush=True)
        return 1
    source = open(args.file, encoding="utf-8") if args.file else sys.stdin
    failures = 0
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                intent = json.loads(line)
                if args.mode == "intents":
                    answer = {"client_order_id": client.stage_intent(intent)}
                else:
                    answer = client.place_order(intent)
            except (ValueError, LinkageError, ConnectionError) as e:
                failures += 1
                print(json.dumps({"line": number, "error": str(e)}), flush=True)
                continue
            print(json.dumps({"line": number, **answer}), flush=True)
            if args.show:
                view = client.wait_linked(answer["client_order_id"])
                if view:
                    order = view["order"]
                    print(f'  {order["client_order_id"]} {order["side"]} {order["product_id"]} {order["status"]}: '
                          f'linked {order["linked_size"]} of {order["exchange_filled_size"]} filled, snapshot {order["snapshot_id"]}', flush=True)
                    for link in view["links"]:
                        print(f'    link {link["sequence"]}: {link["size"]} at {link["price"]} -> snapshot {link["snapshot_id"]}, '
                              f'trigger {link["trigger"]}, buy score {link["buy_score"]}', flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
