#!/usr/bin/env python3
"""The GPU speed targets (docs/benchmarks.md) from the CSVs of ONE device run: `robegen bench --csv` at FP32 and BF16, and
dlrm_baseline.py --csv for PyTorch FP32 (full tables and ROBE) and BF16 autocast + torch.compile. Prints each ratio with
PASS/FAIL. Only the standard library is needed.

    speed_targets.py --robegen robegen-fp32.csv robegen-bf16.csv --torch torch-fp32.csv torch-bf16-compile.csv
"""
import argparse, csv


def load(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            for r in csv.DictReader(f):
                key = (r["precision"], r["model"], r["storage"], int(r["batch"]))
                rows[key] = {k: (float(v) if v else float("nan")) for k, v in r.items() if k.endswith(("_s", "_ms"))}
                rows[key]["device"] = r["device"]
    return rows


def find(rows, precision, model, storage_prefix, batch):
    for (p, m, s, b), v in rows.items():
        if p == precision and m == model and s.startswith(storage_prefix) and b == batch:
            return v
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--robegen", nargs="+", required=True)
    ap.add_argument("--torch", nargs="+", required=True)
    args = ap.parse_args()
    ours, theirs = load(args.robegen), load(args.torch)
    devices = {v["device"] for v in list(ours.values()) + list(theirs.values())}
    print(f"GPU speed targets, one run on {', '.join(sorted(devices))} (inference: inputs on the device, samples/s)")

    def line(label, value, target, unit="x"):
        ok = value is not None and value >= target
        shown = "n/a" if value is None else (f"{value:,.0f}" if unit == "/s" else f"{value:.2f}x")
        goal = f"{target:,.0f}/s" if unit == "/s" else f"{target}x"
        print(f"  {label:<74} {shown:>14}  (target >= {goal}) {'PASS' if ok else 'FAIL'}")

    mlperf, kaggle = "CriteoTerabyte", "CriteoKaggle"
    r_bf16 = find(ours, "BF16", mlperf, "ROBE", 16384)
    r_fp32 = find(ours, "FP32", mlperf, "ROBE", 16384)
    t_full_fp32 = find(theirs, "FP32", mlperf, "Full", 16384)
    t_robe_bf16c = find(theirs, "BF16 autocast + torch.compile", mlperf, "ROBE", 16384)
    t_full_bf16c = find(theirs, "BF16 autocast + torch.compile", mlperf, "Full", 16384)
    ratio = lambda a, b, ka, kb: None if a is None or b is None else a[ka] / b[kb]
    line("MLPerf inference BF16, batch 16384 (samples/s)", r_bf16 and r_bf16["infer_device_per_s"], 28e6, "/s")
    line("  vs PyTorch ROBE, BF16 autocast + torch.compile", ratio(r_bf16, t_robe_bf16c, "infer_device_per_s", "infer_per_s"), 1.5)
    line("  vs PyTorch full tables, FP32", ratio(r_bf16, t_full_fp32, "infer_device_per_s", "infer_per_s"), 5.0)
    if t_full_bf16c:
        line("  vs PyTorch full tables, BF16 autocast + torch.compile (for information)", ratio(r_bf16, t_full_bf16c, "infer_device_per_s", "infer_per_s"), 0)
    line("MLPerf inference FP32 vs PyTorch full tables FP32, batch 16384", ratio(r_fp32, t_full_fp32, "infer_device_per_s", "infer_per_s"), 1.3)
    for batch, target in [(16384, 8e6), (2048, 3e6)]:
        r = find(ours, "BF16", mlperf, "ROBE", batch)
        line(f"MLPerf training BF16, batch {batch} (async steps, samples/s)", r and r["train_async_per_s"], target, "/s")
        t = find(theirs, "BF16 autocast + torch.compile", mlperf, "ROBE", batch)
        if t and r:
            line(f"  vs PyTorch ROBE BF16 + torch.compile (for information)", r["train_async_per_s"] / t["train_async_per_s"], 0)
    k = find(ours, "BF16", kaggle, "ROBE", 16384)
    line("Kaggle inference BF16, batch 16384 (samples/s)", k and k["infer_device_per_s"], 50e6, "/s")
    if r_fp32:
        line("MLPerf embedding forward vs the copy floor (floor / time)", r_fp32["floor_ms"] / r_fp32["emb_fwd_ms"] if r_fp32["emb_fwd_ms"] else None, 1 / 1.5)


if __name__ == "__main__":
    main()
