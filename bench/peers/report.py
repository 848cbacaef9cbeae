#!/usr/bin/env python3
"""Turns bench/peers/run.sh's raw figures (round, contender, metric, value) into the results
Markdown file, gnuplot data and PNG charts. Medians over the numbered rounds."""
import argparse
import os
import statistics
import subprocess
from collections import defaultdict

NAMES = {
    "direct": "direct (no tunnel)",
    "burrow": "Burrow, inspection off",
    "burrow-alt": "Burrow, A/B alternative (BURROW_ALT_*)",
    "burrow-inspect": "Burrow, inspection on",
    "ssh": "ssh -R (aes128-gcm)",
    "lt": "LocalTunnel",
    "pk": "PageKite",
}
ORDER = list(NAMES)
PEERS = ["ssh", "lt", "pk"]

ap = argparse.ArgumentParser()
for a in ["raw", "out", "cores", "cpu", "load-start", "load-end", "rounds", "duration", "bulk", "pk-bulk", "idle", "many", "many-duration", "command", "versions"]:
    ap.add_argument("--" + a, required=True)
args = ap.parse_args()

values = defaultdict(list)   # (contender, metric) -> numeric values over the rounds
texts = defaultdict(list)    # (contender, metric) -> text values
special = {}                 # (round-tag, contender, metric) -> value for non-numbered rounds
loads = []
with open(args.raw) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            continue
        rnd, c, metric, value = parts
        if metric == "load":
            loads.append(value)
            continue
        if not rnd.isdigit() or metric.startswith("many"):
            special[(rnd, c, metric)] = value
            if not rnd.isdigit():
                continue
        try:
            values[(c, metric)].append(float(value))
        except ValueError:
            texts[(c, metric)].append(f"round {rnd}: {value}")

# A wrk run that had socket or status errors does not count toward the medians: drop that
# round's figures for that workload (they stay in the per-round table and under Correctness).
failed_runs = set()
with open(args.raw) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 4 and parts[0].isdigit() and parts[2].endswith(".errors"):
            try:
                if float(parts[3]) > 0:
                    failed_runs.add((parts[0], parts[1], parts[2][: -len(".errors")]))
            except ValueError:
                pass
counted = defaultdict(list)
with open(args.raw) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4 or not parts[0].isdigit():
            continue
        rnd, c, metric, value = parts
        if (rnd, c, metric.split(".")[0]) in failed_runs and not metric.endswith(".errors"):
            continue
        try:
            counted[(c, metric)].append(float(value))
        except ValueError:
            pass

present = [c for c in ORDER if any(k[0] == c for k in values) or any(k[1] == c for k in special)]


def med(c, metric):
    v = counted.get((c, metric))
    return statistics.median(v) if v else None


def fmt(x, unit="", digits=0):
    if x is None:
        return "–"
    if digits == 0:
        return f"{x:,.0f}{unit}".replace(",", " ")
    return f"{x:.{digits}f}{unit}"


def ms(us):
    return None if us is None else us / 1000.0


def fms(us):
    v = ms(us)
    if v is None:
        return "–"
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.{digits}f}×"


lines = []
w = lines.append
w(f"# Peer benchmark: Burrow against direct, ssh -R, LocalTunnel and PageKite")
w("")
w(f"Command: `{args.command.strip()}` · machine: **{args.cores} cores** ({args.cpu}), shared with other engineers' builds and tests, "
  f"so every figure is noisy; all contenders ran in the same run, one after another within each round, on 127.0.0.1. "
  f"Load average (1, 5, 15 min) at the start: {args.load_start}; at the end: {args.load_end}; "
  f"1-minute load at the start of each round: {', '.join(loads) or '–'}.")
w("")
w(f"Versions: {args.versions}.")
w("")
w(f"Each figure is the median of {args.rounds} round(s). wrk runs last {args.duration} s each (`wrk -s report.lua --timeout 10s`, "
  f"1 thread for 16 connections, 2 for 256), against a 1 KiB static file on nginx (1 worker, sendfile). MB = 10^6 bytes.")
w("")

# --- HTTP table
w("## HTTP requests (1 KiB responses)")
w("")
w("| contender | req/s, 16 conns keep-alive | p50 | p99 | p99.9 | req/s, 256 conns | p50 | p99 | p99.9 | req/s, new connection per request (16) | p50 | p99 |")
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in present:
    w(f"| {NAMES[c]} | {fmt(med(c, 'c16.rps'))} | {fms(med(c, 'c16.p50'))} | {fms(med(c, 'c16.p99'))} | {fms(med(c, 'c16.p99.9'))} "
      f"| {fmt(med(c, 'c256.rps'))} | {fms(med(c, 'c256.p50'))} | {fms(med(c, 'c256.p99'))} | {fms(med(c, 'c256.p99.9'))} "
      f"| {fmt(med(c, 'close16.rps'))} | {fms(med(c, 'close16.p50'))} | {fms(med(c, 'close16.p99'))} |")
w("")

# --- bulk, ttfb, memory
w("## Bulk transfer, new-tunnel time and memory")
w("")
w(f"Bulk: one `curl` download of {int(args.bulk) // 2**20} MiB (`GET`) and one upload of the same file (`POST`, to a sink behind nginx that answers the byte count); "
  f"PageKite moves {int(args.pk_bulk) // 2**20} MiB instead, because its front-end caps a tunnel at about 4 MB/s by design (stock settings). "
  "Time to first byte of a new tunnel: from starting a new client (agent) against the running server until its URL answers 200 "
  "(polled every 50 ms with curl, so it includes the client's own start-up, e.g. the .NET runtime or node). "
  "RSS: server half (edge / sshd's per-connection child / lt server / PageKite front-end) and client half (agent / ssh / lt / PageKite back-end), "
  "idle before the load and the peak while wrk ran 256 connections. Burrow's edge serves both Burrow agents (inspection off and on).")
w("")
w("| contender | download MB/s | upload MB/s | new tunnel answers after | server RSS idle | server RSS under load | client RSS idle | client RSS under load |")
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in present:
    def mb(metric):
        v = med(c, metric)
        return "–" if v is None else f"{v / 1024:.1f} MiB"
    w(f"| {NAMES[c]} | {fmt(med(c, 'down.mbs'))} | {fmt(med(c, 'up.mbs'))} | {fmt(med(c, 'ttfb.ms'), ' ms')} "
      f"| {mb('rss.server.idle')} | {mb('rss.server.load')} | {mb('rss.client.idle')} | {mb('rss.client.load')} |")
w("")

# --- many connections
w(f"## {int(args.many):,} concurrent connections through one tunnel".replace(",", " "))
w("")
w(f"`wrk -t2 -c{args.many} -d{args.many_duration}s --timeout 10s`: all connections open at once, keep-alive, 1 KiB responses (one run). "
  "Errors are wrk's connect, read, write, timeout and non-2xx counts; a body check follows the run.")
w("")
w("| contender | req/s | p50 | p99 | errors | requests | body check after |")
w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
for c in present:
    if ("1", c, "many.rps") not in special and ("1", c, "many.fail") not in special:
        continue
    g = lambda m: special.get(("1", c, m))
    num = lambda m: float(g(m)) if g(m) not in (None, "") else None
    w(f"| {NAMES[c]} | {fmt(num('many.rps'))} | {fms(num('many.p50'))} | {fms(num('many.p99'))} | {g('many.errors') or g('many.fail') or '–'} "
      f"| {g('many.requests') or '–'} | {special.get(('many', c, 'check'), '–')} |")
w("")

# --- idle tunnels
w(f"## {int(args.idle):,} idle tunnels on one server".replace(",", " "))
w("")
w("Burrow: a fresh edge (no load before it); the driver `bench/peers/idle-tunnels` runs real agents (`AgentRunner`, the code behind `burrow http`) in one process, "
  "64 tunnels per session (the edge's default per-session limit), so 10 000 tunnels are 157 agent sessions over 157 TLS connections. "
  "ssh -R: one `ssh` client asking for that many `RemoteForward 127.x.y.z:0 …` (distinct addresses, since ssh drops duplicates; port 0: sshd picks a port and listens on loopback). "
  "Memory per tunnel = (server RSS after − before) / tunnels. A sample of 20 tunnels is then requested and must answer 200. "
  "LocalTunnel and PageKite are not measured here: each of their tunnels needs its own client process (node or Python).")
w("")
w("| contender | tunnels up | server RSS before | after | server KiB per tunnel | client RSS (all tunnels) | client KiB per tunnel | sample answering |")
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
per_tunnel = {}
for c in ["burrow", "ssh"]:
    g = lambda m: special.get(("idle", c, m))
    if g("idle.tunnels") is None:
        continue
    n = float(g("idle.tunnels") or 0)
    before, after, client = float(g("idle.edge.before") or 0), float(g("idle.edge.after") or 0), float(g("idle.client.after") or 0)
    pt = (after - before) / n if n else None
    per_tunnel[c] = (pt, client / n if n else None)
    w(f"| {NAMES[c]} | {int(n)} | {before / 1024:.1f} MiB | {after / 1024:.1f} MiB | {fmt(pt, '', 1)} | {client / 1024:.1f} MiB "
      f"| {fmt(client / n if n else None, '', 1)} | {g('idle.sample_ok') or '–'} |")
w("")

# --- ratios and targets
w("## Ratios (same run)")
w("")
best = {}
for metric in ["c16.rps", "c256.rps", "close16.rps", "down.mbs", "up.mbs"]:
    cands = [(med(p, metric), p) for p in PEERS if med(p, metric) is not None]
    best[metric] = max(cands) if cands else (None, None)
w("| figure | Burrow (inspection off) | / direct | / best peer | / ssh -R | Burrow (inspection on) | / direct | / best peer |")
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for metric, label in [("c16.rps", "req/s, 16 conns"), ("c256.rps", "req/s, 256 conns"), ("close16.rps", "req/s, new connection per request"),
                      ("down.mbs", "download MB/s"), ("up.mbs", "upload MB/s")]:
    b, bi, d = med("burrow", metric), med("burrow-inspect", metric), med("direct", metric)
    bp, who = best[metric]
    w(f"| {label} | {fmt(b)} | {ratio(b, d)} | {ratio(b, bp)} ({NAMES.get(who, '–')}) | {ratio(b, med('ssh', metric))} "
      f"| {fmt(bi)} | {ratio(bi, d)} | {ratio(bi, bp)} |")
w("")
b16, s16 = med("burrow", "c16.rps"), med("ssh", "c16.rps")
bp99 = ms(med("burrow", "c16.p99"))
bdown, sdown = med("burrow", "down.mbs"), med("ssh", "down.mbs")
bup, sup = med("burrow", "up.mbs"), med("ssh", "up.mbs")


def verdict(ok):
    return "–" if ok is None else ("**met**" if ok else "**missed**")


w("| target (issue 7) | result |")
w("| --- | --- |")
w(f"| requests/s ≥ 1.5× ssh -R (16 conns) | {verdict(None if b16 is None or s16 is None else b16 >= 1.5 * s16)}: {ratio(b16, s16)} "
  f"(256 conns: {ratio(med('burrow', 'c256.rps'), med('ssh', 'c256.rps'))}) |")
w(f"| p99 ≤ 3 ms at 16 connections | {verdict(None if bp99 is None else bp99 <= 3)}: {fms(med('burrow', 'c16.p99'))} (ssh -R: {fms(med('ssh', 'c16.p99'))}) |")
w(f"| bulk ≥ 2× ssh -R (aes128-gcm) | download {verdict(None if bdown is None or sdown is None else bdown >= 2 * sdown)}: {ratio(bdown, sdown)}; "
  f"upload {verdict(None if bup is None or sup is None else bup >= 2 * sup)}: {ratio(bup, sup)} |")
w("")

# --- correctness
w("## Correctness")
w("")
problems = []
for (c, metric), v in sorted(texts.items()):
    if metric == "check" and all(x.endswith(": ok") for x in v):
        continue
    problems.append(f"- {NAMES.get(c, c)} `{metric}`: {'; '.join(v)}")
for (c, metric), v in sorted(values.items()):
    if metric.endswith(".errors") and any(x > 0 for x in v):
        problems.append(f"- {NAMES.get(c, c)} `{metric}`: {', '.join(str(int(x)) for x in v)} (wrk socket/status errors per round)")
for (rnd, c, metric), v in sorted(special.items()):
    if (metric.endswith(".wrong") or metric.endswith(".fail") or (metric == "check" and v != "ok")):
        problems.append(f"- {NAMES.get(c, c)} `{metric}` ({rnd}): {v}")
w("Every round checks a `GET /1k` body byte for byte against the file, every wrk run counts socket errors and non-2xx answers and "
  "checks that each response carried at least the 1 KiB body, every download checks status and byte count, every upload checks "
  "the byte count the sink received. A wrk run with any error is left out of the medians (its rate is still listed per round below); "
  "a download or upload that failed its check gives no figure.")
w("")
w("\n".join(problems) if problems else "No check failed.")
w("")

# --- per round
w("## Per-round values")
w("")
rounds = int(args.rounds)
w("| contender | figure | " + " | ".join(f"round {i + 1}" for i in range(rounds)) + " |")
w("| --- | --- |" + " ---: |" * rounds)
for c in present:
    for metric in ["c16.rps", "c16.p99", "c16.cpu_us", "c256.rps", "c256.cpu_us", "close16.rps", "close16.cpu_us", "down.mbs", "up.mbs", "ttfb.ms"]:
        v = values.get((c, metric))
        if v:
            w(f"| {NAMES[c]} | {metric} | " + " | ".join(fmt(x, '', 1 if metric.endswith('cpu_us') else 0) for x in v) + " |")
w("")
w("Charts: requests/s (`" + os.path.basename(args.out) + "-rps.png`), latency distribution at 16 connections (`"
  + os.path.basename(args.out) + "-latency.png`), memory per idle tunnel (`" + os.path.basename(args.out) + "-memory.png`).")
w("")
w(f"![requests/s]({os.path.basename(args.out)}-rps.png)")
w(f"![latency]({os.path.basename(args.out)}-latency.png)")
w(f"![memory per tunnel]({os.path.basename(args.out)}-memory.png)")

with open(args.out + ".md", "w") as f:
    f.write("\n".join(lines) + "\n")

# --- charts (gnuplot)
d = args.out
with open(d + "-rps.dat", "w") as f:
    f.write("# contender c16 c256 close16\n")
    for c in present:
        f.write(f"\"{NAMES[c]}\" {med(c, 'c16.rps') or 0:.0f} {med(c, 'c256.rps') or 0:.0f} {med(c, 'close16.rps') or 0:.0f}\n")
pcts = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99]
with open(d + "-latency.dat", "w") as f:
    for c in present:
        f.write(f"# {NAMES[c]}\n")
        for p in pcts:
            v = med(c, f"c16.d{p:g}")
            if v:
                f.write(f"{p} {1 / (1 - p / 100.0):.4f} {v / 1000.0:.4f}\n")
        f.write("\n\n")
with open(d + "-memory.dat", "w") as f:
    for c, (server, client) in per_tunnel.items():
        f.write(f"\"{NAMES[c]}\" {server or 0:.2f} {client or 0:.2f}\n")

latency_plots = ", ".join(f"'{d}-latency.dat' index {i} using 2:3 with linespoints title '{NAMES[c]}'" for i, c in enumerate(present))
script = f"""
set terminal pngcairo size 1100,600 font 'sans,10'
set output '{d}-rps.png'
set title 'HTTP requests/s through each tunnel, 1 KiB responses ({args.cores} cores, median of {args.rounds} round(s); log scale)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [10:*]
set ylabel 'requests/s'
set xtics rotate by -15
set grid ytics
set key top right
plot '{d}-rps.dat' using 2:xtic(1) title 'keep-alive, 16 conns', '' using 3 title 'keep-alive, 256 conns', '' using 4 title 'new connection per request, 16'
reset
set terminal pngcairo size 1100,600 font 'sans,10'
set output '{d}-latency.png'
set title 'Latency distribution, keep-alive, 16 connections (median of rounds per percentile)'
set logscale xy
set xlabel 'percentile'
set ylabel 'latency, ms'
set xtics ('50' 2, '90' 10, '99' 100, '99.9' 1000, '99.99' 10000)
set grid
set key top left
plot {latency_plots}
reset
set terminal pngcairo size 800,500 font 'sans,10'
set output '{d}-memory.png'
set title 'Memory per idle tunnel ({args.idle} tunnels on one server), KiB'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'KiB per tunnel'
set yrange [0:*]
set grid ytics
plot '{d}-memory.dat' using 2:xtic(1) title 'server (edge / sshd)', '' using 3 title 'client (agents / ssh)'
"""
if per_tunnel:
    pass
else:
    script = script.split("reset\nset terminal pngcairo size 800,500")[0]
with open(d + ".gp", "w") as f:
    f.write(script)
r = subprocess.run(["gnuplot", d + ".gp"], capture_output=True, text=True)
if r.returncode != 0:
    print("gnuplot failed:", r.stderr)
for ext in [".gp"]:
    pass
print("\n".join(lines))
print(f"\nwrote {args.out}.md and charts {args.out}-*.png")
