#!/usr/bin/env python3
"""Plants each known bug alone and measures what catches it (issue 17, items 4 and 5).

For each plant below: a clean worktree of HEAD gets the one edit, a Release build, then
  - `replay scenarios` (CI's main job, on its default SQLite store): which files fail, and which checks;
  - `fuzz --runs 300 --seed S --store memory` for each seed: the failing scenario's number and the shrunk steps.
Prints a Markdown table (and writes it to out/plants.md). The worktree is removed at the end.

usage: python3 scripts/plants.py [--seeds 1,2] [--runs 300] [--only NAME,...] [--list]
Takes about 2 minutes per plant on 2 cores (the build dominates).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (name, file, text to find (exactly once), replacement, what the bug is), or (name, [(file, find, replacement), ...],
# None, None, what) for a bug that takes several edits. A replacement must not be a constant condition (if (true) ...):
# the build treats the unreachable-code warning as an error.
PLANTS = [
    ("exits-newest-lot-first", "src/Linkage.Engine/Decider.Fills.cs",
     "[.. _view.OpenEntryLots(exit.Intent.Product).Select(o => o.ClientOrderId)]",
     "[.. _view.OpenEntryLots(exit.Intent.Product).Select(o => o.ClientOrderId).Reverse()]",
     "exits allocated newest lot first"),
    ("short-pnl-not-negated", "src/Linkage.Engine/Decider.Fills.cs",
     "RealizedPnl = entry.Intent.Side == Side.Buy ? gain : -gain,",
     "RealizedPnl = gain,",
     "a short lot's realized PnL not negated"),
    ("snapshot-read-as-fills", "src/Linkage.Engine/Decider.Updates.cs",
     "? input.Source is OrderStateSource.FeedSnapshot or OrderStateSource.RestOrder ? c : 0m",
     "? input.Source is OrderStateSource.RestOrder ? c : 0m",
     "a user-channel snapshot read as fills (external order)"),
    # The stores, not the engine, keep fill keys: the plant deletes them where each store purges an intent (the
    # memory store's staging, SQLite's schema, and the SQL store's read cache, which would otherwise still answer "seen").
    ("fill-keys-purged-with-retention", [
        ("src/Linkage.Engine/MemoryStore.cs",
         """                case OrderDecision written:
                    return Order(written.Order, insert: false);""",
         """                case IntentPurged purged:
                    foreach (var planted in store._fills.Keys.Where(k => k.Order == purged.Order.ExchangeOrderId).ToList())
                    {
                        store._fills.Remove(planted);
                    }
                    return Order(purged.Order, insert: false);
                case OrderDecision written:
                    return Order(written.Order, insert: false);"""),
        ("src/Linkage.Stores.Sqlite/Migrations/0006_attached_brackets.sql",
         "ALTER TABLE order_metadata_staging ADD COLUMN bracket_of TEXT;",
         """ALTER TABLE order_metadata_staging ADD COLUMN bracket_of TEXT;
CREATE TRIGGER planted_purge_keys AFTER UPDATE OF intent_purged ON order_metadata_staging WHEN NEW.intent_purged
BEGIN DELETE FROM fill_keys WHERE exchange_order_id = NEW.exchange_order_id; END;"""),
        ("src/Linkage.Stores.Sql/ReadCache.cs",
         """                case OrderDecision d:
                    Written(d.Order);
                    break;""",
         """                case OrderDecision d:
                    if (d is IntentPurged && d.Order.ExchangeOrderId is { } planted)
                    {
                        _fillKeys.Remove(planted.Value);
                    }
                    Written(d.Order);
                    break;"""),
    ], None, None, "fill keys purged with retention"),
    ("fill-after-cancelled-ignored", "src/Linkage.Engine/Decider.Updates.cs",
     "var links = source.Quantity > linked.Quantity;",
     "var links = source.Quantity > linked.Quantity && read.Status != OrderStatus.Cancelled;",
     "a fill reported after CANCELLED ignored"),
    ("exit-waiting-never-allocated", "src/Linkage.Engine/Decider.Fills.cs",
     "foreach (var waiting in _view.ExitsAwaitingAllocation(order.Intent.Product))",
     "foreach (var waiting in _view.ExitsAwaitingAllocation(order.Intent.Product).Take(0))",
     "an exit waiting for a lot never allocated"),
    ("trade-before-answer-dropped", "src/Linkage.Engine/Decider.Fills.cs",
     'Park(input, exchangeId, $"{fill.Key.Source}:{fill.Key.Key}");',
     "return;",
     "a trade fill of an order not known yet dropped instead of parked"),
    ("duplicate-answer-read-as-refusal", "src/Linkage.Coinbase/CoinbaseParser.cs",
     """string.Equals(response.NewOrderFailureReason, "DUPLICATE_CLIENT_ORDER_ID", StringComparison.OrdinalIgnoreCase)
        || string.Equals(response.Error, "DUPLICATE_CLIENT_ORDER_ID", StringComparison.OrdinalIgnoreCase);""",
     'response.Error == "planted: never";',
     "a re-send answered DUPLICATE_CLIENT_ORDER_ID read as a refusal (the parser's guard removed)"),
    ("bracket-child-external", "src/Linkage.Engine/Decider.Brackets.cs",
     "if (parent.Intent is not { Bracket: not null, BracketOf: null })",
     "if (parentId.Value.Length >= 0)",
     "an attached bracket child treated as external when a REST order names its parent"),
    # Issue 15's plant: the child is never adopted, whichever message names it (the create-order answer's
    # attached_order_id, an update of the parent, or Get Order's originating_order_id); asked about, it is external.
    ("bracket-child-treated-as-external", [
        ("src/Linkage.Engine/Decider.Brackets.cs",
         "if (parent.Intent is not { Bracket: not null, BracketOf: null })",
         "if (parentId.Value.Length >= 0)"),
        ("src/Linkage.Engine/Decider.Brackets.cs",
         "if (AdoptAttached(parent, childId, boundBy) is not null)",
         "if (childId.Value.Length < 0 && AdoptAttached(parent, childId, boundBy) is not null)"),
     ], None, None,
     "an attached bracket child treated as external: never adopted from the answer, an update or Get Order"),
    ("unknown-outcome-never-reconciled", "src/Linkage.Host/WebhookHost.cs",
     "else if (placement.Result == PlacementResult.Unknown && _reconciledUnknown.Add(clientOrderId.Value))",
     "else if (clientOrderId.Value.Length < 0)",
     "the host does not reconcile when a create-order answer leaves the outcome unknown (fuzz 1202 #9384)"),
]


def run(args, cwd, timeout=3600):
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for name, _, _, _, what in PLANTS:
            print(f"{name}: {what}")
        return 0
    only = {n for n in a.only.split(",") if n}
    unknown = only - {p[0] for p in PLANTS}
    if unknown:
        print(f"plants.py: no plant named {', '.join(sorted(unknown))} (--list shows them)", file=sys.stderr)
        return 2
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    tree = tempfile.mkdtemp(prefix="linkage-plants-")
    shutil.rmtree(tree)
    subprocess.run(["git", "worktree", "add", "--detach", "-q", tree, "HEAD"], cwd=root, check=True)
    rows = []
    try:
        for name, path, old, new, what in PLANTS:
            if only and name not in only:
                continue
            subprocess.run(["git", "checkout", "-q", "--", "."], cwd=tree, check=True)
            missed = None
            for edit_path, edit_old, edit_new in (path if isinstance(path, list) else [(path, old, new)]):
                file = os.path.join(tree, edit_path)
                text = open(file, encoding="utf-8").read()
                if text.count(edit_old) != 1:
                    missed = f"plant does not apply: the text was found {text.count(edit_old)} times in {edit_path}"
                    break
                open(file, "w", encoding="utf-8").write(text.replace(edit_old, edit_new))
            if missed:
                rows.append((what, missed, ""))
                continue
            out = os.path.join(tree, "plant-bin")
            shutil.rmtree(out, ignore_errors=True)
            code, log = run(["dotnet", "publish", "src/Linkage.Cli", "-c", "Release", "-o", out, "--nologo", "-v", "q"], tree)
            if code != 0:
                rows.append((what, "does not build: " + " ".join(log.split())[-300:], ""))
                continue
            cli = [os.path.join(out, "Linkage.Cli")]
            print(f"[{name}] built; replaying scenarios/", file=sys.stderr, flush=True)
            code, log = run(cli + ["replay", "scenarios"], tree)
            failed = sorted(set(re.findall(r"^FAIL \S+ \((scenarios/[^)]+)\)", log, re.M)))
            checks = sorted(set(re.findall(r"^  \[([a-z-]+)\]", log, re.M)))
            replay = ("passes" if code == 0 else
                      f"fails {len(failed)} file(s): " + ", ".join(f"`{f.removeprefix('scenarios/')}`" for f in failed[:4])
                      + (" ..." if len(failed) > 4 else "") + (f" ({', '.join(checks)})" if checks else ""))
            fuzz = []
            for seed in a.seeds.split(","):
                print(f"[{name}] fuzz seed {seed}", file=sys.stderr, flush=True)
                code, log = run(cli + ["fuzz", "--runs", str(a.runs), "--seed", seed, "--store", "memory",
                                       "--out", os.path.join(tree, "plant-out")], tree)
                m = re.search(r"fuzz: scenario (\d+) \(.*?, (\d+) steps\) failed ([a-z, -]+)", log)
                s = re.search(r"fuzz: shrunk to (\d+) step", log)
                if code == 0:
                    fuzz.append(f"seed {seed}: not caught in {a.runs}")
                elif m and s:
                    fuzz.append(f"seed {seed}: #{m.group(1)}, {s.group(1)} steps ({m.group(3).strip()})")
                else:
                    fuzz.append(f"seed {seed}: exit {code}: " + " ".join(log.split())[-200:])
            rows.append((what, replay, "; ".join(fuzz)))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=root)
    table = [f"Planted bugs on {head} (`python3 scripts/plants.py --seeds {a.seeds} --runs {a.runs}`): `replay scenarios` on"
             " its default SQLite store, `fuzz` on the memory store:", "",
             "| planted bug | `replay scenarios` | `fuzz --runs %d` |" % a.runs, "|---|---|---|"]
    table += [f"| {w} | {r} | {f} |" for w, r, f in rows]
    text = "\n".join(table) + "\n"
    print(text)
    os.makedirs(os.path.join(root, "out"), exist_ok=True)
    open(os.path.join(root, "out", "plants.md"), "w", encoding="utf-8").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
