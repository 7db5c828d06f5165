#!/usr/bin/env python3
"""Instruction counts per call for the pairs of `benches/generated.rs`, under callgrind.

Run:  cargo bench --bench generated --no-run      # prints the binary: …/deps/generated-HASH
      python3 benches/counts.py BINARY [FILTER] [--iters N] [--markdown]

For every id (or those containing FILTER) it runs
`valgrind --tool=callgrind --toggle-collect='*count_loop*' BINARY` with FIM_BENCH_COUNT=<id>
and FIM_BENCH_ITERS=N (default 10000), and prints the instructions (Ir) per call of the
generated and the hand-written function and their ratio. Unlike wall time on a shared
machine, the counts are the same on every run. Standard library and valgrind only.
"""

import os
import re
import subprocess
import sys
import tempfile


def ids(binary: str) -> list:
    env = dict(os.environ, FIM_BENCH_LIST="1")
    out = subprocess.run([binary], env=env, check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def instructions(binary: str, bench_id: str, iters: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, FIM_BENCH_COUNT=bench_id, FIM_BENCH_ITERS=str(iters))
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--toggle-collect=*count_loop*",
             f"--callgrind-out-file={out_file}", binary],
            env=env, capture_output=True, text=True,
        )
        if run.returncode != 0:
            raise SystemExit(f"valgrind failed for {bench_id}:\n{run.stderr}")
        with open(out_file) as f:
            for line in f:
                m = re.match(r"(?:summary|totals):\s+(\d+)", line)
                if m:
                    return int(m.group(1))
    raise SystemExit(f"no instruction total for {bench_id}")


def main() -> int:
    argv = sys.argv[1:]
    markdown = "--markdown" in argv
    iters = 10000
    if "--iters" in argv:
        iters = int(argv[argv.index("--iters") + 1])
    pos = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--iters")]
    if not pos:
        print(__doc__, file=sys.stderr)
        return 2
    binary = pos[0]
    needle = pos[1] if len(pos) > 1 else ""
    pairs = sorted({i.rsplit("/", 1)[0] for i in ids(binary) if needle in i},
                   key=[i.rsplit("/", 1)[0] for i in ids(binary)].index)
    if markdown:
        print("| pair | generated Ir/call | hand Ir/call | generated / hand |")
        print("|---|---:|---:|---:|")
    else:
        print(f"{'pair':<46}{'generated Ir':>14}{'hand Ir':>10}{'ratio':>8}")
    ratios = []
    for p in pairs:
        g = instructions(binary, f"{p}/generated", iters) / iters
        h = instructions(binary, f"{p}/hand", iters) / iters
        ratios.append((g / h, p))
        if markdown:
            print(f"| {p} | {g:.1f} | {h:.1f} | {g / h:.2f} |")
        else:
            print(f"{p:<46}{g:>14.1f}{h:>10.1f}{g / h:>8.2f}")
        sys.stdout.flush()
    rs = sorted(r for r, _ in ratios)
    n = len(rs)
    median = rs[n // 2] if n % 2 else (rs[n // 2 - 1] + rs[n // 2]) / 2
    worst = max(ratios)
    print(f"\npairs: {n}; median Ir ratio generated / hand: {median:.2f}; worst: {worst[1]} ({worst[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
