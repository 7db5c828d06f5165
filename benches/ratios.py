#!/usr/bin/env python3
"""The table of `cargo bench --bench generated`: generated vs hand-written medians per pair.

Run after the bench:  python3 benches/ratios.py [CRITERION_DIR] [--markdown]

CRITERION_DIR defaults to $CRITERION_HOME, else $CARGO_TARGET_DIR/criterion, else
target/criterion. It reads <model>/<function>/{generated,hand}/new/estimates.json
(`median.point_estimate`, ns) and prints, per pair, both medians and the ratio
generated / hand (above 1: the generated code is slower), then the median ratio, the
geometric mean and the worst pair. Standard library only.
"""

import json
import math
import os
import sys
from pathlib import Path

# The bench's order of models and functions (others found on disk are listed after, sorted).
MODELS = [
    "binomial", "odds", "poisson", "normal", "gamma", "beta", "multinomial3",
    "multinomial5", "dirichlet5", "logistic", "unmixing",
]
FUNCTIONS = [
    "fisher", "fisher_inverse", "jeffreys_log_density", "natural_gradient",
    "fisher_averaged", "jeffreys_log_density_averaged",
]


def default_dir() -> Path:
    if os.environ.get("CRITERION_HOME"):
        return Path(os.environ["CRITERION_HOME"])
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"]) / "criterion"
    return Path("target") / "criterion"


def median_ns(path: Path) -> float:
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def order(name: str, known: list) -> tuple:
    return (known.index(name), "") if name in known else (len(known), name)


def rows(root: Path) -> list:
    out = []
    for model in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: order(p.name, MODELS)):
        for func in sorted((p for p in model.iterdir() if p.is_dir()), key=lambda p: order(p.name, FUNCTIONS)):
            g = func / "generated" / "new" / "estimates.json"
            h = func / "hand" / "new" / "estimates.json"
            if g.is_file() and h.is_file():
                gen, hand = median_ns(g), median_ns(h)
                out.append((model.name, func.name, gen, hand, gen / hand))
    return out


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv[1:]
    root = Path(args[0]) if args else default_dir()
    if not root.is_dir():
        print(f"no criterion results in {root}: run `cargo bench --bench generated` first", file=sys.stderr)
        return 1
    table = rows(root)
    if not table:
        print(f"no generated/hand pairs under {root}", file=sys.stderr)
        return 1
    if markdown:
        print("| model | function | generated (ns) | hand (ns) | generated / hand |")
        print("|---|---|---:|---:|---:|")
        for m, f, g, h, r in table:
            print(f"| {m} | {f} | {g:.2f} | {h:.2f} | {r:.2f} |")
    else:
        print(f"{'model':<14}{'function':<32}{'generated ns':>14}{'hand ns':>12}{'ratio':>8}")
        for m, f, g, h, r in table:
            print(f"{m:<14}{f:<32}{g:>14.2f}{h:>12.2f}{r:>8.2f}")
    ratios = sorted(r for *_, r in table)
    n = len(ratios)
    median = ratios[n // 2] if n % 2 else (ratios[n // 2 - 1] + ratios[n // 2]) / 2
    geo = math.exp(sum(math.log(r) for r in ratios) / n)
    worst = max(table, key=lambda row: row[4])
    print()
    print(f"pairs: {n}; median ratio generated / hand: {median:.2f}; geometric mean: {geo:.2f}")
    print(f"worst pair: {worst[0]}/{worst[1]}: {worst[2]:.2f} ns generated, {worst[3]:.2f} ns by hand, ratio {worst[4]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
