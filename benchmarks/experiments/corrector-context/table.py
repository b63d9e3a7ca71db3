"""Right / wrong / harmful changes each scoring would apply, per threshold, from probe_scoring's OUT.json.

    python table.py OUT.json [OUT2.json ...]
"""
import json
import sys


def spans(rec, key):
    by = {}
    for r in rec:
        by.setdefault((r["hyp"], r["source"], tuple(r["span"])), []).append(r)
    out = []
    for rows in by.values():
        rows.sort(key=lambda r: -r[key])
        out.append((rows[0], rows[1][key] if len(rows) > 1 else None))
    return out


def main(paths):
    rec = [r for p in paths for r in json.load(open(p))]
    for r in rec:
        r["sum"] = r["copy"] + r["self"]
    print(f"{len(rec)} trials; right candidates exist for {len({(r['hyp'], tuple(r['span'])) for r in rec if r['right']})} spans")
    print("score  match margin  applied right wrong harmful")
    for key in ("copy", "self", "gap", "sum"):
        sp = spans(rec, key)
        for mm in (0.75, 0.8, 0.85):
            for m in (0, 1, 2, 3, 4, 6):
                ok = [b for b, sec in sp if b[key] >= m and b["match"] >= mm and (sec is None or b[key] - sec >= 1)]
                print(f"{key:5} {mm:6.2f} {m:6} {len(ok):8} {sum(b['right'] for b in ok):5} {sum(not b['right'] for b in ok):5}"
                      f" {sum(b['harmful'] for b in ok):7}")
    ok = [r for r in rec if r["match"] >= 0.85]
    best = {}
    for r in ok:  # every candidate at match >= 0.85, unjudged: the best match per span
        k = (r["hyp"], r["source"], tuple(r["span"]))
        if k not in best or r["match"] > best[k]["match"]:
            best[k] = r
    print(f"unjudged, match >= 0.85: {len(best)} applied, {sum(b['right'] for b in best.values())} right,"
          f" {sum(not b['right'] for b in best.values())} wrong, {sum(b['harmful'] for b in best.values())} harmful")


if __name__ == "__main__":
    main(sys.argv[1:])
