"""report.py — turns the node tests' outcomes into verdicts and tables:
the per-op table (pass / refused / wrong / internal per device), totals and
the float32 pass rate per device, refusals per category, and the failures
with what differs. Text for the CI log; --markdown writes the same table for
docs/node_tests.md."""
import collections

KINDS = ("pass", "refused", "wrong", "internal")


def judge(tests, devices, results, refs, dev_class):
    """Checks every refusal against the list. Returns (counts, failures,
    refused) where counts[(op, dev)][kind] counts outcomes, failures are
    "FAIL ..." lines and refused are (dev, category, test, message)."""
    counts = collections.defaultdict(collections.Counter)
    failures, refused = [], []
    for i, t in enumerate(tests):
        for d in devices:
            kind, detail = results[(i, d)]
            refs.saw(t.name, dev_class(d))
            counts[(t.op, d)][kind] += 1
            if kind == "refused":
                cat, why = refs.judge(t.name, dev_class(d), detail)
                if cat:
                    refused.append((d, cat, t.name, detail))
                else:
                    counts[(t.op, d)]["undocumented"] += 1
                    failures.append(f"FAIL {t.name} ({t.op}) device={d}: undocumented refusal ({why}): {detail}")
            elif kind != "pass":
                failures.append(f"FAIL {t.name} ({t.op}) device={d}: {kind}: {detail}")
    return counts, failures, refused


def totals(tests, devices, results):
    """{dev: (Counter of kinds, float32 passed, float32 total)}."""
    out = {}
    for d in devices:
        c = collections.Counter(results[(i, d)][0] for i in range(len(tests)))
        f32 = [i for i, t in enumerate(tests) if t.float32]
        out[d] = (c, sum(results[(i, d)][0] == "pass" for i in f32), len(f32))
    return out


def table_rows(tests, devices, counts):
    ops = sorted({t.op for t in tests})
    n = collections.Counter(t.op for t in tests)
    rows = []
    for op in ops:
        cells = []
        for d in devices:
            c = counts[(op, d)]
            cells.append([c[k] for k in KINDS] + [c["undocumented"]])
        rows.append((op, n[op], cells))
    return rows


def text_table(tests, devices, counts):
    head = f"{'op':<22}{'tests':>6}" + "".join(f"  | {d:<4} pass refused wrong internal" for d in devices)
    lines = [head, "-" * len(head)]
    for op, n, cells in table_rows(tests, devices, counts):
        lines.append(f"{op:<22}{n:>6}" + "".join(
            f"  | {'':<4} {c[0]:>4} {c[1]:>7} {c[2]:>5} {c[3]:>8}" for c in cells))
    return lines


def markdown(tests, devices, counts, tot):
    hdr = "| op | tests | " + " | ".join(f"{d} pass / refused / wrong / internal" for d in devices) + " |"
    lines = [hdr, "|" + "---|" * (2 + len(devices))]
    for op, n, cells in table_rows(tests, devices, counts):
        lines.append(f"| {op} | {n} | " + " | ".join(" / ".join(str(v) for v in c[:4]) for c in cells) + " |")
    lines.append(f"| **total** | {len(tests)} | " + " | ".join(
        " / ".join(str(tot[d][0][k]) for k in KINDS) for d in devices) + " |")
    lines.append(f"| float32 pass | {tot[devices[0]][2]} | " + " | ".join(
        f"{tot[d][1]} ({100.0 * tot[d][1] / max(1, tot[d][2]):.1f}%)" for d in devices) + " |")
    return lines


def category_lines(refused, devices):
    by = collections.Counter((d, cat) for d, cat, _, _ in refused)
    cats = sorted({cat for _, cat in by})
    return [f"  {cat:<24}" + "".join(f"  {d}: {by[(d, cat)]:>4}" for d in devices) for cat in cats]


def float32_shortfall(tests, devices, results, refused):
    """Per device, why float32 tests did not pass: refusal category or outcome."""
    cat = {(d, name): c for d, c, name, _ in refused}
    lines = []
    for d in devices:
        why = collections.Counter()
        for i, t in enumerate(tests):
            kind = results[(i, d)][0]
            if t.float32 and kind != "pass":
                why[cat.get((d, t.name), kind if kind != "refused" else "undocumented refusal")] += 1
        lines.append(f"  {d}: " + (", ".join(f"{k} {n}" for k, n in why.most_common()) or "none"))
    return lines
