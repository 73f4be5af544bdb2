#!/usr/bin/env python3
"""A generated fleet with known truth, as push would store it (rows for
pprof_trend_samples, pprof_trend_captures and pprof_trend_sites in
TabSeparated), for tests/clickhouse_push_test.sh's fleet check:
40 instances (20 of v2.3.0, 20 of v2.3.1), 12 hourly captures each, 300
stable sites with sampling noise, and 3 leaks: site "leak.versionWide"
grows in every v2.3.1 instance, "leak.someInstances" in 7 of them,
"leak.oldVersion" in 3 v2.3.0 instances. A restart (a new process id) in
pod-0 halfway.
  gen_fleet.py OUT_DIR"""
import os
import random
import sys

out = sys.argv[1]
rnd = random.Random(7)
period = 524288
t0 = 1764979200  # 2025-12-06 00:00:00 UTC
instances = [(f"pod-{i}", "v2.3.0" if i < 20 else "v2.3.1") for i in range(40)]
stable = [f"svc.stable{i}" for i in range(300)]
leaks = {
    "leak.versionWide": {f"pod-{i}" for i in range(20, 40)},
    "leak.someInstances": {f"pod-{i}" for i in range(20, 27)},
    "leak.oldVersion": {"pod-1", "pod-2", "pod-3"},
}
key = {name: 1000 + i for i, name in enumerate(stable + list(leaks))}
base = {name: rnd.randint(4, 64) * period for name in stable}
with open(os.path.join(out, "samples.tsv"), "w") as s, open(os.path.join(out, "captures.tsv"), "w") as c:
    for inst, version in instances:
        for k in range(12):
            time = t0 + 3600 * k
            stamp = f"2025-12-06 {k:02}:00:00"
            process = "p1" if not (inst == "pod-0" and k >= 6) else "p2"
            capture_id = 10000 + 100 * int(inst[4:]) + k
            rows = 0
            for name in stable:
                noise = rnd.uniform(-0.5, 0.5) * (period * base[name]) ** 0.5
                b = int(base[name] + noise)
                s.write(f"fleetsvc\t{inst}\t{version}\t{process}\t{capture_id}\t{stamp}\t{period}\t{key[name]}\t0\t{b}\t{b // 1024}\t0\t0\t1\n")
                rows += 1
            for name, where in leaks.items():
                if inst not in where:
                    continue
                b = 8 * 1048576 * (k + 1)
                s.write(f"fleetsvc\t{inst}\t{version}\t{process}\t{capture_id}\t{stamp}\t{period}\t{key[name]}\t8388608\t{b}\t{k + 1}\t0\t0\t1\n")
                rows += 1
            c.write(f"fleetsvc\t{inst}\t{capture_id}\t{stamp}\t/captures/{inst}/heap-{k:02}.pb.gz\t{rows}\t"
                    f"{version}\t{process}\t{period}\n")
with open(os.path.join(out, "sites.tsv"), "w") as f:
    for name, k in key.items():
        f.write(f"{k}\t['main.main','{name}']\t['main.go','{name.split('.')[0]}.go']\n")
