#!/usr/bin/env python3
"""Turns bench/raw.tsv, memory.tsv, core_bench.json and machine.txt into bench/results.md
and the PNG plots (gnuplot). Run by bench/run; can be run again by hand: report.py BENCH_DIR
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

CONTENDERS = [  # id, label, kind
    ("psql1", "psql -1 -f, all ups concatenated (the limit)", "limit"),
    ("psqlsess", "psql, one session, BEGIN/COMMIT per file", "baseline"),
    ("psqlloop", "psql per file, shell loop", "baseline"),
    ("ms_apply", "migrations_schema: load_dir + migrate_apply()", "ms"),
    ("ms_run", "migrations_schema: load_dir + CALL migrate_run()", "ms"),
    ("pgm", "pg_migrate apply DIR (client)", "ms"),
    ("dbmate", "dbmate", "peer"),
    ("npm", "node-pg-migrate", "peer"),
    ("sqlmigrate", "sql-migrate", "peer"),
    ("sqitch", "sqitch", "peer"),
]
LABEL = {c: l for c, l, _ in CONTENDERS}
KIND = {c: k for c, _, k in CONTENDERS}
PEERS = [c for c, _, k in CONTENDERS if k == "peer"]
SHORT = {"psql1": "psql -1 -f", "psqlsess": "psql session", "psqlloop": "psql loop",
         "ms_apply": "migrate_apply", "ms_run": "migrate_run", "pgm": "pg_migrate",
         "dbmate": "dbmate", "npm": "node-pg-migrate", "sqlmigrate": "sql-migrate",
         "sqitch": "sqitch"}
WL_TITLE = {"mix100": "mix, N=100", "small200": "small statements, N=200",
            "authelia": "authelia (26)"}

# Row names where a figure runs something else than the contender's up command.
PHASE_LABEL = {
    ("down", "psql1"): "psql -1 -f, all downs concatenated (the limit)",
    ("down", "ms_apply"): "migrations_schema: migrate_rollback(everything => true)",
    ("down", "pgm"): "pg_migrate rollback --everything (client)",
    ("noop", "psql1"): "psql -c 'SELECT 1' (connection floor)",
    ("noop", "ms_apply"): "migrations_schema: migrate_apply() alone",
    ("noop", "ms_run"): "migrations_schema: CALL migrate_run() alone",
    ("noop", "pgm"): "pg_migrate apply (no folder: no push)",
    ("noop_full", "pgm"): "pg_migrate apply DIR (push, then apply)",
    ("status", "psql1"): "psql -c 'SELECT 1' (connection floor)",
    ("status", "ms_apply"): "migrations_schema: migrate_status()",
    ("status", "pgm"): "pg_migrate status (client)",
}

# What each contender runs for each figure, for the reader.
COMMANDS = {
    "psql1": ("`psql -1 -f all_up.sql`", "`psql -1 -f all_down.sql`",
              "`psql -c 'SELECT 1'` (connection floor)", "`psql -c 'SELECT 1'` (connection floor)"),
    "psqlsess": ("`psql -f session_up.sql` (`BEGIN; \\i f; COMMIT;` per file)",
                 "same with the down files", "—", "—"),
    "psqlloop": ("`psql -1 -f f` for each file", "same with the down files", "—", "—"),
    "ms_apply": ("`psql -1 -c \"SELECT migrate_load_dir(dir)\" -c \"SELECT count(*) FROM migrate_apply()\"`",
                 "`SELECT count(*) FROM migrate_rollback(everything => true)`",
                 "`SELECT count(*) FROM migrate_apply()`", "`SELECT count(*) FROM migrate_status()`"),
    "ms_run": ("`psql -c \"SELECT migrate_load_dir(dir)\" -c \"CALL migrate_run()\"`", "—",
               "`CALL migrate_run()`", "—"),
    "pgm": ("`pg_migrate apply DIR`", "`pg_migrate rollback --everything`", "`pg_migrate apply`",
            "`pg_migrate status`"),
    "dbmate": ("`dbmate --no-dump-schema migrate`", "`dbmate rollback`, N times (one per call)",
               "`dbmate migrate`", "`dbmate status`"),
    "npm": ("`node-pg-migrate up` (default: one transaction)", "`node-pg-migrate down N`",
            "`node-pg-migrate up`", "— (no status command)"),
    "sqlmigrate": ("`sql-migrate up`", "`sql-migrate down -limit=0`", "`sql-migrate up`",
                   "`sql-migrate status`"),
    "sqitch": ("`sqitch deploy`", "`sqitch revert -y`", "`sqitch deploy`", "`sqitch status`"),
}

PHASE_INDEX = {"up": 0, "down": 1, "noop": 2, "status": 3}
PHASES_ALL = ("up", "down", "noop", "noop_full", "status")
SECTION_TITLE = {"memory": "memory", "lint": "lint of pending sets",
                 "lint_real": "lint throughput", "mix100": "mix",
                 "small200": "small statements"}


def fmt(t):
    if t is None:
        return "—"
    if t < 1:
        return f"{t * 1000:.0f} ms" if t >= 0.01 else f"{t * 1000:.1f} ms"
    if t < 100:
        return f"{t:.2f} s"
    return f"{t:.0f} s"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def load(bench):
    raw = []
    with open(os.path.join(bench, "raw.tsv"), encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) < 7:
                continue
            raw.append(dict(wl=f[0], n=int(f[1]), cid=f[2], rep=int(f[3]), phase=f[4],
                            t=float(f[5]), ok=f[6] == "ok", note=f[7] if len(f) > 7 else ""))
    machine = {}
    with open(os.path.join(bench, "machine.txt"), encoding="utf-8") as fh:
        for line in fh:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                machine[k] = v
    mem = []
    p = os.path.join(bench, "memory.tsv")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                f = line.rstrip("\n").split("\t")
                if len(f) >= 9:
                    mem.append(f)
    core = None
    p = os.path.join(bench, "core_bench.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as fh:
            core = json.load(fh)
    info = {}
    p = os.path.join(bench, "info.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as fh:
            info = json.load(fh)
    return raw, machine, mem, core, info


class Stats:
    def __init__(self, raw):
        self.samples = {}
        self.notes = {}
        self.errors = {}
        self.fp = {}
        self.n = {}
        self.wls = []
        for r in raw:
            if r["wl"] not in self.wls:
                self.wls.append(r["wl"])
            self.n[r["wl"]] = r["n"]
            key = (r["wl"], r["cid"])
            if r["phase"] == "note" or r["phase"].startswith("note:"):
                # "note" concerns every figure of that contender and set, "note:down" one.
                scope = r["phase"][5:] or None
                self.notes.setdefault(key, []).append((scope, r["note"]))
            elif r["phase"] == "error":
                self.errors.setdefault(key, []).append(r["note"])
            elif r["phase"].startswith("fp_"):
                self.fp.setdefault((r["wl"], r["cid"], r["phase"]), set()).add(r["note"])
            else:
                self.samples.setdefault((r["wl"], r["cid"], r["phase"]), []).append(r["t"])

    def med(self, wl, cid, phase):
        s = self.samples.get((wl, cid, phase))
        return statistics.median(s) if s else None

    def count(self, wl, cid, phase):
        return len(self.samples.get((wl, cid, phase), []))

    def best_peer(self, wl, phase):
        best = None
        for c in PEERS:
            m = self.med(wl, c, phase)
            if m is not None and (best is None or m < best[1]):
                best = (c, m)
        return best


def wl_title(st, w):
    base = w[:-len("_tcp")] if w.endswith("_tcp") else w
    return WL_TITLE.get(base, f"N={st.n[w]}") + (", TCP" if base != w else "")


def figure_table(st, phase, reps, wls, ref_phase=None):
    """ref_phase: the figure whose limit and fastest peer the ratios use (default: phase)."""
    ref_phase = ref_phase or phase
    head = "| contender | " + " | ".join(wl_title(st, w) for w in wls) + " |"
    out = [head, "|---|" + "---|" * len(wls)]
    for cid, label, kind in CONTENDERS:
        cells = []
        any_value = False
        for w in wls:
            m = st.med(w, cid, phase)
            if m is None:
                cells.append("—")
                continue
            any_value = True
            lim = st.med(w, "psql1", ref_phase)
            bp = st.best_peer(w, ref_phase)
            k = st.count(w, cid, phase)
            rep_mark = f" [{k}]" if k < reps else ""
            spread = st.samples[(w, cid, phase)]
            cells.append(f"{fmt(m)}{rep_mark}<br>{ratio(m, lim)} / {ratio(m, bp[1] if bp else None)}"
                         + (f"<br>{fmt(min(spread))}–{fmt(max(spread))}" if k > 1 else ""))
        if any_value:
            name = PHASE_LABEL.get((phase, cid), label)
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    best = []
    for w in wls:
        bp = st.best_peer(w, ref_phase)
        best.append(SHORT[bp[0]] if bp else "—")
    out.append("| *fastest peer* | " + " | ".join(f"*{b}*" for b in best) + " |")
    return "\n".join(out)


def figure_notes(st, phase, wls):
    """What a reader of one figure must know: fewer repetitions, cells not run, failures."""
    out = []
    for w in wls:
        for cid, label, kind in CONTENDERS:
            cmd = COMMANDS[cid][PHASE_INDEX[phase]]
            if cmd.startswith("—"):
                continue
            name = PHASE_LABEL.get((phase, cid), label)
            where = WL_TITLE.get(w, f"N={st.n[w]}")
            for scope, text in st.notes.get((w, cid), []):
                if scope in (None, phase):
                    out.append(f"- {where}, {name}: {text}.")
            for e in st.errors.get((w, cid), []):
                out.append(f"- {where}, {name}: **failed**: {e}")
    for w in wls:
        lim, sess = st.med(w, "psql1", phase), st.med(w, "psqlsess", phase)
        if phase in ("up", "down") and lim and sess and sess < lim:
            out.append(f"- {WL_TITLE.get(w, f'N={st.n[w]}')}: one transaction per file (psql "
                       f"session, {fmt(sess)}) beats the single transaction of the limit "
                       f"({fmt(lim)}): here the one-transaction runs pay for it, and a ratio "
                       f"below 1.00× is a contender that commits per migration.")
    if not out:
        return ""
    return ("Notes on this figure (repetitions, cells not run, failures; the budget for slow "
            "contenders is described under *How it is measured*):\n\n" + "\n".join(out) + "\n")


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def plots(bench, st, mem_rows):
    trivial = [w for w in st.wls if w.startswith("trivial")]
    tmp = tempfile.mkdtemp()
    colors = {"psql1": "#000000", "psqlsess": "#555555", "psqlloop": "#999999",
              "ms_apply": "#d62728", "ms_run": "#ff7f0e", "pgm": "#e377c2",
              "dbmate": "#1f77b4", "npm": "#2ca02c", "sqlmigrate": "#9467bd", "sqitch": "#8c564b"}
    titles = {"up": "Apply all migrations (up), CREATE TABLE sets",
              "down": "Roll back all migrations (down), CREATE TABLE sets",
              "noop": "Call with nothing to do, N applied",
              "status": "Status with N migrations applied"}
    for phase, title in titles.items():
        series = []
        for cid, label, kind in CONTENDERS:
            pts = [(st.n[w], st.med(w, cid, phase)) for w in trivial]
            pts = [(n, m) for n, m in pts if m is not None]
            if not pts:
                continue
            path = os.path.join(tmp, f"{phase}_{cid}.dat")
            with open(path, "w") as fh:
                for n, m in pts:
                    fh.write(f"{n} {m}\n")
            name = SHORT[cid]
            if cid == "psql1" and phase in ("noop", "status"):
                name = "psql -c 'SELECT 1'"
            if cid == "ms_apply" and phase == "noop":
                name = "migrate_apply() alone"
            series.append(f"'{path}' using 1:2 with linespoints lw 2 pt 7 "
                          f"lc rgb '{colors[cid]}' title \"{name}\"")
        if not series:
            continue
        gnuplot(f"""set terminal pngcairo size 900,600 font 'DejaVu Sans,10' noenhanced
set output '{bench}/{phase}.png'
set title "{title}\\n(median wall time of the whole command, log-log; lower is better)"
set logscale xy
set xlabel 'migrations (N)'
set ylabel 'seconds'
set xtics (100, 1000, 10000)
set xrange [70:14000]
set grid
set key outside right top
plot {", ".join(series)}
""")
    # Realistic workloads: grouped bars, up and down.
    others = [w for w in st.wls if not w.startswith("trivial")]
    if others:
        path = os.path.join(tmp, "others.dat")
        cols = [(w, p) for w in others for p in ("up", "down")]
        with open(path, "w") as fh:
            fh.write("contender " + " ".join(f"{w}_{p}" for w, p in cols) + "\n")
            for cid, label, kind in CONTENDERS:
                vals = [st.med(w, cid, p) for w, p in cols]
                if all(v is None for v in vals):
                    continue
                fh.write(f"\"{SHORT[cid]}\" " + " ".join("?" if v is None else f"{v}" for v in vals) + "\n")
        using = ", ".join(
            f"'{path}' using {i + 2}:xtic(1) title \"{WL_TITLE.get(w, w)} {p}\""
            for i, (w, p) in enumerate(cols))
        gnuplot(f"""set terminal pngcairo size 1000,600 font 'DejaVu Sans,10' noenhanced
set output '{bench}/mix_authelia.png'
set title "Realistic mix (N=100), small statements (N=200) and the authelia folder: up and down\\n(median seconds, log scale; lower is better)"
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel 'seconds'
set xtics rotate by -30
set grid ytics
set key outside right top
plot {using}
""")
    # Memory.
    if mem_rows:
        size = int(mem_rows[0][4])
        path = os.path.join(tmp, "mem.dat")
        with open(path, "w") as fh:
            for cid, label, before, after, _ in mem_rows:
                fh.write(f"\"{label}\" {before / 1024:.1f} {after / 1024:.1f}\n")
        gnuplot(f"""set terminal pngcairo size 900,500 font 'DejaVu Sans,10' noenhanced
set output '{bench}/memory.png'
set title "Backend peak resident memory (VmHWM) applying one ~{size / 1e6:.0f} MB migration\\n(median of the repetitions; includes shared buffers the backend touched)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'MiB'
set yrange [0:*]
set grid ytics
set key top left
plot '{path}' using 2:xtic(1) title 'before', '' using 3 title 'after'
""")


def memory_growth(mem):
    """cid -> (median VmHWM growth kB, median RssAnon after kB, script bytes)."""
    by = {}
    for f in mem:
        if f[2] in ("before", "after"):
            by.setdefault(f[0], {}).setdefault(f[2], []).append((int(f[3]), int(f[5])))
    out = {}
    for cid, d in by.items():
        if "before" in d and "after" in d:
            out[cid] = (statistics.median(x[0] for x in d["after"]) -
                        statistics.median(x[0] for x in d["before"]),
                        statistics.median(x[1] for x in d["after"]), int(mem[0][7]))
    return out


def summary(w, st, wls, mem_by):
    """The issue's expectations next to what this run measured; no verdict is tuned, and a
    miss is shown as one."""
    trivial = [x for x in wls if x.startswith("trivial")]
    if not any(st.med(x, "ms_apply", "up") for x in wls):
        return
    w("## Summary against the issue's expectations\n")
    w("| expectation | " + " | ".join(WL_TITLE.get(x, f"N={st.n[x]}") for x in wls) + " |")
    w("|---|" + "---|" * len(wls))

    def row(title, cid, ref, limit):
        cells = []
        for x in wls:
            m = st.med(x, cid, "up")
            if ref == "limit":
                r = st.med(x, "psql1", "up")
            else:
                bp = st.best_peer(x, "up")
                r = bp[1] if bp else None
            if m is None or not r:
                cells.append("—")
                continue
            q = m / r
            cells.append(f"{q:.2f}× {'met' if q <= limit else '**not met**'}")
        w(f"| {title} | " + " | ".join(cells) + " |")

    for cid, name in (("ms_apply", "`migrate_apply`"), ("pgm", "`pg_migrate apply DIR`")):
        if any(st.med(x, cid, "up") for x in wls):
            row(f"{name} up within 1.2× of `psql -1 -f`", cid, "limit", 1.2)
            row(f"{name} up at least 2× faster than the fastest peer (≤ 0.50×)", cid, "peer", 0.5)
    w("")
    if trivial:
        big = trivial[-1]
        m, floor = st.med(big, "ms_apply", "noop"), st.med(big, "psql1", "noop")
        if m is not None and floor is not None:
            w(f"- Nothing to do with N={st.n[big]:,} applied (expected under 5 ms): the whole "
              f"command `psql -c 'SELECT count(*) FROM migrate_apply()'` takes {fmt(m)}, of "
              f"which {fmt(floor)} is psql's start and connection (`psql -c 'SELECT 1'`): about "
              f"{fmt(max(m - floor, 0))} for the call itself. The harness times whole commands; "
              f"the call's own time is this difference, not a separate measurement.")
    if len(trivial) >= 2:
        a, b = trivial[-2], trivial[-1]
        k = st.n[b] / st.n[a]
        parts = []
        worst = 0.0
        for cid in ("ms_apply", "ms_run", "pgm"):
            for ph in PHASES_ALL:
                t1, t2 = st.med(a, cid, ph), st.med(b, cid, ph)
                if t1 and t2:
                    q = t2 / t1
                    worst = max(worst, q)
                    parts.append(f"{SHORT[cid]} {ph} {q:.1f}×")
        if parts:
            w(f"- Cost linear in N (expected: the N={st.n[b]:,} point at most {1.2 * k:.0f}× the "
              f"N={st.n[a]:,} point): " + ", ".join(parts) +
              f" — {'met' if worst <= 1.2 * k else '**not met**'} for migrations_schema's rows "
              f"(whole commands, so the fixed start-up cost makes small N look cheaper).")
    ms, base = mem_by.get("ms_apply"), mem_by.get("psql_f")
    if ms and base:
        w(f"- Backend memory for one {ms[2] / 1e6:.0f} MB script (expected: bounded by the largest "
          f"single script, not by N): `migrate_apply()` grew the backend's peak resident set by "
          f"{ms[0] / 1024:.0f} MiB, `psql -f` of the same file by {base[0] / 1024:.0f} MiB; "
          f"anonymous memory after: {ms[1] / 1024:.0f} MiB against {base[1] / 1024:.0f} MiB "
          f"(see *Backend memory*).")
    w("")


def lint_sections(w, info, titles):
    """The linter: throughput on ~10 MB of real SQL, per-set migrate_lint_pending,
    and what linting adds to migrate_apply."""
    w("## Linting\n")
    real = info.get("lint_real")
    w("### migrate_lint throughput on real migration SQL\n")
    if not real:
        w("Not measured in this run.\n")
    elif "skipped" in real:
        w(f"Not measured: {real['skipped']} (the real migration folders, `../shared/corpora`, "
          f"are not part of this repository).\n")
    elif "error" in real:
        w(f"**Failed**: {real['error']}\n")
    else:
        mb, stmts = real["bytes"] / 1e6, real["statements"]
        var = real.get("variants", {})
        w(f"Every up script under `../shared/corpora` ({', '.join(real['folders'])}: "
          f"{real['files']} files, {real['corpus_bytes'] / 1e3:.0f} kB, "
          f"{real['statements_once']:,} statements), repeated {real['copies']} times to reach "
          f"about {mb:.0f} MB: {real['calls']:,} calls of `migrate_lint(sql)`, one per script, "
          f"{stmts:,} statements in all. Down scripts are left out (several of ente's do not "
          f"parse, and a script that does not parse is one syntax-error finding, not a lint of "
          f"its statements). The scripts are put in a table beforehand, not timed; the timed "
          f"command is one `psql -c` running `SELECT count(*) FROM lint_input AS i, LATERAL "
          f"migrate_lint(i.sql) AS f` (`enable_memoize` and `jit` off, so that every row is "
          f"linted and nothing is compiled), median of {real['reps']}, interleaved with its "
          f"floor: the same command reading the same rows without linting "
          f"(`sum(octet_length(sql))`). Two catalogs: a new database, where no relation the "
          f"scripts name exists (linting pending migrations before the first deploy), and, "
          f"folder by folder, a database where that folder was applied first with `CALL "
          f"migrate_run()`, so that every lookup finds its (empty) table and the rules that "
          f"need an existing relation fire; there the time is the sum of one command per "
          f"folder.\n")
        w("| catalog | median | less the floor | MB/s | statements/s | per statement | findings |")
        w("|---|---|---|---|---|---|---|")
        names = {"new": "new database", "applied": "each folder applied first"}
        for v, d in var.items():
            if "error" in d:
                w(f"| {names.get(v, v)} | not measured: {d['error']} | | | | | |")
                continue
            if "lint_s" not in d:
                continue
            t, net = d["lint_s"], d["lint_s"] - d.get("floor_s", 0)
            w(f"| {names.get(v, v)} | {fmt(t)} | {fmt(net)} | {mb / t:.1f} | {stmts / t:,.0f} | "
              f"{t * 1e6 / stmts:.0f} µs | {d['findings']:,} |")
        w("")
        w("MB/s and statements/s are from the whole command (the floor is shown for what it "
          "is worth). Statements are counted once per distinct script, by the linter itself: a "
          "statement it always flags (`VACUUM FULL` without a table, rule `full-rewrite`) is "
          "appended after a line break and a semicolon, and its statement number minus one is "
          "the number of statements `raw_parser` returned for the script, the ones the linter "
          "walks (`BEGIN`/`COMMIT` included, empty statements not). The largest statement "
          "number among a script's findings would undercount every script whose last "
          "statements have no finding." +
          (f" Scripts that did not parse (counted as 0 statements): "
           f"{', '.join(real['unparsed'])}." if real.get("unparsed") else "") + "\n")
    lint = info.get("lint")
    if isinstance(lint, str):
        w(f"migrate_lint_pending: {lint}.\n")
    elif isinstance(lint, dict):
        w("### migrate_lint_pending over the benchmark's sets\n")
        w("`SELECT count(*) FROM migrate_lint_pending()` with every migration of a set "
          "registered and pending (whole command, median of the repetitions):\n")
        w("| set | migrations | median | per migration | findings |")
        w("|---|---|---|---|---|")
        for name, d in lint.items():
            title = f"N={d['n']:,}" if name.startswith("trivial") else titles.get(name, name)
            if "error" in d:
                w(f"| {title} | {d['n']} | failed: {d['error']} | | |")
            else:
                w(f"| {title} | {d['n']} | {fmt(d['median_s'])} | "
                  f"{d['median_s'] * 1000 / d['n']:.2f} ms | {d['findings']} |")
        cost = info.get("lint_cost")
        if cost and "warn" in cost and "off" in cost:
            w("")
            w(f"What linting adds to an apply: load_dir + migrate_apply() of the N={cost['n']} "
              f"CREATE TABLE set, interleaved, with `migrations_schema.lint = warn` (the default: "
              f"every migration is linted before it runs) {fmt(cost['warn'])}, with `off` "
              f"{fmt(cost['off'])} ({ratio(cost['warn'], cost['off'])}). The main figures above "
              f"run with the default.")
        if info.get("lint_note"):
            w("")
            w(info["lint_note"])
        w("")


def main():
    bench = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
    raw, machine, mem, core, info = load(bench)
    st = Stats(raw)
    reps = int(machine.get("reps", "5"))
    # The same workloads over TCP get their own tables, below the unix socket's.
    tcp = [w for w in st.wls if w.endswith("_tcp")]
    st.wls = [w for w in st.wls if not w.endswith("_tcp")]
    trivial = [w for w in st.wls if w.startswith("trivial")]
    wls = trivial + [w for w in st.wls if not w.startswith("trivial")]
    tcp = sorted(tcp, key=lambda x: wls.index(x[:-4]) if x[:-4] in wls else len(wls))
    L = []
    w = L.append
    w("# Benchmark results\n")
    w(f"Written by `bench/run` on {machine.get('date', '?')}, extension built from commit "
      f"`{machine.get('commit', '?')}`. Every number below comes from that run; the raw "
      f"samples are in `raw.tsv`, `memory.tsv` and `core_bench.json` beside this file.\n")
    summary(w, st, wls, memory_growth(mem))
    w("## Machine\n")
    w(f"- {machine.get('nproc', '?')} cores, {machine.get('cpu', '?')}, {machine.get('ram', '?')} RAM, "
      f"Linux {machine.get('kernel', '?')}")
    w(f"- {machine.get('pg', '?')}; one throwaway cluster, unix socket and TCP (127.0.0.1), `fsync` on, "
      f"`max_locks_per_transaction=256` (see below), everything else default")
    w(f"- load average before / after the run: {machine.get('load_before', '?')} / "
      f"{machine.get('load_after', '?')} — the machine is shared with other engineers, which "
      f"is why contenders are interleaved and medians reported")
    if machine.get("pg_private"):
        w(f"- the server, `initdb` and `psql` run from a private copy of the PostgreSQL "
          f"installation ({machine.get('pg_private_from', '?')}) in the run's work folder "
          f"(`{machine['pg_private']}`), into which the "
          f"extension was installed with `make install DESTDIR=…`; the backend loaded "
          f"`{machine.get('extension_so', '?')}` (checked in its `/proc/self/maps`), never the "
          f"system's installation")
    if machine.get("seconds_measure"):
        secs = info.get("sections", {})
        parts = ", ".join(f"{SECTION_TITLE.get(k, k)} {v / 60:.1f} min" for k, v in secs.items())
        w(f"- the run took {int(machine.get('seconds_setup', 0)) / 60:.1f} min of set-up (packages, "
          f"copy, builds, core benchmark) and {int(machine['seconds_measure']) / 60:.1f} min of "
          f"measurements" + (f" ({parts})" if parts else ""))
    w(f"- {machine.get('psql', '?')}; {machine.get('sqitch', '?')}; {machine.get('dbmate', '?')} "
      f"(npm package `dbmate`, its Go binary called directly); {machine.get('node_pg_migrate', '?')}; "
      f"{machine.get('sql_migrate', '?')}; {machine.get('benchmark', '?')}\n")

    w("## How it is measured\n")
    w("Each measurement is the wall time of one command line, from fork to exit: process start, "
      "connection, reading the files, the work, the tracking tables. Every contender gets a new "
      "database for every repetition (created and dropped outside the timing; for "
      "migrations_schema `CREATE EXTENSION` is part of the database set-up, not of the timing), "
      "followed by a `CHECKPOINT`, so that no contender's timing pays for writing another's "
      "buffers. The server runs with its defaults, `fsync` on: every COMMIT waits for the WAL "
      "flush, as on a user's server. Every workload is timed twice, over the unix socket and "
      "over TCP to 127.0.0.1 (its own tables, below). "
      "In one repetition a contender runs, on its database: up (all pending), the call with "
      "nothing to do, status, down (all). Repetitions are interleaved: repetition 1 of every "
      f"contender, then repetition 2 of every contender, and so on; {reps} repetitions, the "
      "median is shown, with the ratios, then the spread: the fastest and the slowest "
      "repetition. A `[k]` after a time means only k repetitions, said below the figure.\n")
    if machine.get("budget"):
        w(f"Slow contenders (the four peers and the psql-per-file loop) have a time budget from "
          f"N={int(machine.get('budget_from_n', 10000)):,} on: {float(machine['budget']):.0f} s "
          f"per contender and set (smaller sets: every repetition). After its first "
          f"repetition such a contender gets as many as fit in the budget, at least "
          f"{machine.get('min_reps', '2')}, so that a tool that needs minutes per repetition "
          f"does not crowd out the others' {reps}. From "
          f"N={int(machine.get('cap_from_n', 10000)):,} on, a phase (up, down, …) of a slow "
          f"contender whose time for one repetition, projected from the two smaller sets "
          f"(t = a·N + b·N², a cost per migration that may grow with N), exceeds "
          f"{float(machine.get('rep_cap', 0)):.0f} s is not run at all. The limit, the psql "
          f"session and migrations_schema's rows always get all {reps}. Every such cut is "
          f"listed under the figure it concerns; a single repetition is a sample, not a "
          f"median.\n")
    w("Cells read `median`, then `× psql -1 -f / × fastest peer`: the ratio to the physical "
      "limit (all up scripts concatenated, one `psql -1 -f`; for down, all down scripts "
      "concatenated in reverse order) and to the fastest of dbmate, node-pg-migrate, sql-migrate "
      "and sqitch on the same workload. For the no-op and status figures the limit is the cost "
      "of a connection that runs `SELECT 1` (`psql -c 'SELECT 1'`), since there is no work to "
      "do.\n")
    w("Workloads: `N=100/1000/10000` are generated sets, migration *i* being `CREATE TABLE t_i "
      "(id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())` with `DROP TABLE t_i` "
      "as its down script. *mix, N=100* starts with a 100,000-row table and an enum type, then "
      "cycles through add column, create index on the 100k rows, update 5,000 rows, add an enum "
      "value (its down script is a no-op: PostgreSQL cannot drop one) and create a view. "
      "*small statements, N=200* is 200 files of eight quick statements each on a new, empty "
      "table (create it, add two columns, a check, two indexes, a comment and a SQL "
      "function): the per-statement cost that real projects' folders are made of. "
      "*authelia* is the 26 real migrations of `../shared/corpora/authelia`, written into each "
      "format at run time. The same SQL is written in each tool's own format (golang-migrate pairs for "
      "migrations_schema and pg_migrate, `-- migrate:up/down` for dbmate, `-- Up/Down Migration` "
      "for node-pg-migrate, `-- +migrate Up/Down` for sql-migrate, a plan with deploy/revert "
      "scripts for sqitch, which, as its templates do, wraps each script in `BEGIN; … COMMIT;`). "
      "After every up and down the schema is fingerprinted (relations, columns, enum labels "
      "in `public`) and compared across contenders (see *Checks*).\n")
    w("| contender | up | down | nothing to do | status |")
    w("|---|---|---|---|---|")
    for cid, label, kind in CONTENDERS:
        if any(k[1] == cid for k in st.samples):
            c = COMMANDS[cid]
            w(f"| {label} | {c[0]} | {c[1]} | {c[2]} | {c[3]} |")
    w("")

    sections = [("up", "Up: apply every migration", "up.png"),
                ("down", "Down: roll every migration back", "down.png"),
                ("noop", "Nothing to do: the call when all N are applied", "noop.png"),
                ("status", "Status with N migrations applied", "status.png")]
    for phase, title, png in sections:
        if not any(k[2] == phase for k in st.samples):
            continue
        w(f"## {title}\n")
        w(f"![{phase}]({png})\n")
        w(figure_table(st, phase, reps, wls))
        w("")
        w(figure_notes(st, phase, wls))
        if phase == "noop" and any(k[2] == "noop_full" for k in st.samples):
            w("The full deploy command with nothing to do (what a pipeline runs every time: read "
              "the folder again, then apply), for the contenders where that differs from the "
              "row above:\n")
            w("(Ratios against the same connection floor and fastest peer no-op as above.)\n")
            w(figure_table(st, "noop_full", reps, wls, "noop").replace(
                "| *fastest peer*", "| *fastest peer (its no-op above)*"))
            w("")
    if [x for x in wls if not x.startswith("trivial")]:
        w("![mix and authelia](mix_authelia.png)\n")
    for phase, title in (("up", "Up over TCP (127.0.0.1)"), ("down", "Down over TCP (127.0.0.1)")):
        if tcp and any(k[0] in tcp and k[2] == phase for k in st.samples):
            w(f"## {title}\n")
            w("The same runs, every client connected over TCP to 127.0.0.1 instead of the unix "
              "socket: each statement psql sends pays the loopback's round trip.\n")
            w(figure_table(st, phase, reps, tcp))
            w("")

    # Memory
    size = int(mem[0][7]) if mem else 0
    w(f"## Backend memory for a ~{size / 1e6:.0f} MB migration\n" if mem else
      "## Backend memory for a large migration\n")
    mem_rows = []
    if mem:
        rows = next((int(f[8]) for f in mem if f[8].isdigit()), 0)
        w(f"One migration whose up script is {size / 1e6:.0f} MB of 10-row `INSERT` statements "
          f"({rows // 10:,} statements, {rows:,} rows), after a tiny migration that creates "
          f"the table. In one psql session the backend's own `VmHWM` (peak resident set, from "
          f"`/proc/self/status` read with `pg_read_file` by the session's backend, i.e. "
          f"`pg_backend_pid()`) is read before and after. psql rows run the same two files with "
          f"`\\i`; migrations_schema rows call `migrate_load_dir` then `migrate_apply()` (in "
          f"one transaction) or `CALL migrate_run()` in the same session. VmHWM counts shared "
          f"buffers the backend touched (128 MB `shared_buffers`), so the difference between "
          f"rows is what matters. Median of the repetitions.\n")
        by = {}
        for f in mem:
            cid, rep, tag = f[0], f[1], f[2]
            if tag == "error":
                by.setdefault(cid, {}).setdefault("error", []).append(f[8])
                continue
            by.setdefault(cid, {}).setdefault(tag, []).append((int(f[3]), int(f[4]), int(f[5])))
            by[cid].setdefault("time", {})[rep] = float(f[6])
        labels = {"psql_f": "psql -f", "psql_1f": "psql -1 -f", "ms_apply": "migrate_apply()",
                  "ms_run": "CALL migrate_run()"}
        w("| session | VmHWM before | after migrate_load_dir | VmHWM after | growth | RssAnon after | × psql -f growth | time |")
        w("|---|---|---|---|---|---|---|---|")
        base_growth = None
        for cid in ("psql_f", "psql_1f", "ms_apply", "ms_run"):
            d = by.get(cid)
            if not d or "after" not in d:
                if d and "error" in d:
                    w(f"| {labels[cid]} | failed: {d['error'][0]} | | | | | | |")
                continue
            b = statistics.median(x[0] for x in d["before"])
            a = statistics.median(x[0] for x in d["after"])
            anon = statistics.median(x[2] for x in d["after"])
            ld = statistics.median(x[0] for x in d["loaded"]) if "loaded" in d else None
            t = statistics.median(d["time"].values())
            growth = a - b
            if cid == "psql_f":
                base_growth = growth
            mem_rows.append((cid, labels[cid], b, a, size))
            w(f"| {labels[cid]} | {b / 1024:.0f} MiB | {'—' if ld is None else f'{ld / 1024:.0f} MiB'} | "
              f"{a / 1024:.0f} MiB | {growth / 1024:.0f} MiB | {anon / 1024:.0f} MiB | "
              f"{ratio(growth, base_growth)} | {fmt(t)} |")
        w("")
        w("![memory](memory.png)\n")
    else:
        w("Not measured in this run.\n")

    lint_sections(w, info, WL_TITLE)

    # Core
    w("## The core planner at 100,000 migrations (Google Benchmark)\n")
    if core:
        w("`bench/core_bench.cpp`, built by `bench/CMakeLists.txt` (a separate CMake project over "
          "`../src/core`, Release, `find_package(benchmark)` from Debian's libbenchmark-dev) and "
          "run by `bench/run` with 5 repetitions. 100,000 `Registered` with versions "
          "`20240000000001…`, 64-character checksums; `Applied` as stated.\n")
        w("| benchmark | median | CV | per migration |")
        w("|---|---|---|---|")
        rows = {}
        for b in core.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                rows.setdefault(b["run_name"], {})[b["aggregate_name"]] = b
        for name, agg in rows.items():
            med = agg.get("median")
            cv = agg.get("cv")
            if not med:
                continue
            ms = med["real_time"] if med.get("time_unit") == "ms" else med["real_time"] / 1e6
            cvs = f"{cv['real_time'] * 100:.1f} %" if cv else "—"
            w(f"| `{name}` | {ms:.1f} ms | {cvs} | {ms * 1000 / 100000:.2f} µs |")
        ctx = core.get("context", {})
        w("")
        w(f"Google Benchmark reports {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz"
          + ("; Debian's libbenchmark is itself a debug build (its own warning), which does not "
             "affect the code measured, compiled here with -O3 (Release)." if ctx.get("library_build_type") == "debug" else ".")
          + "\n")
    else:
        w("Not run.\n")

    # Caps, failures, checks
    w("## Fewer repetitions, skipped runs, failures\n")
    any_note = False
    for (wl, cid), notes in st.notes.items():
        for scope, n in notes:
            any_note = True
            w(f"- {wl_title(st, wl)}, {LABEL.get(cid, cid)}"
              f"{'' if scope is None else ' (' + scope + ')'}: {n}.")
    for (wl, cid), errs in st.errors.items():
        for e in errs:
            any_note = True
            w(f"- {wl_title(st, wl)}, {LABEL.get(cid, cid)}: **failed**: {e}")
    if not any_note:
        w("- None.")
    w("")
    w("## Checks\n")
    bad = []
    for wl in wls:
        for phase in ("fp_up", "fp_down"):
            ref = st.fp.get((wl, "psql1", phase))
            for cid, _, _ in CONTENDERS:
                got = st.fp.get((wl, cid, phase))
                if got is None or ref is None:
                    continue
                if got != ref:
                    bad.append(f"{wl} {phase[3:]}: {SHORT[cid]} left {sorted(got)}, psql -1 -f left {sorted(ref)}")
    if bad:
        w("Schema fingerprints (relations/columns/enum labels in `public`) that differ from "
          "psql -1 -f:\n")
        for b in bad:
            w(f"- {b}")
    else:
        w("After up, every contender left the same schema fingerprint (relations / columns / enum "
          "labels in `public`, tracking tables excluded) as `psql -1 -f`, and after down the same "
          "one as its down scripts (`0/0/0` everywhere: nothing left).")
    w("")
    # The edges (the call with nothing to do, start-up, status, snapshots among many tables,
    # memory, push, fleets) are measured by bench/edges on its own cluster; its table is
    # repeated here so that every expectation has its row in this file.
    edges_path = os.path.join(bench, "edges.md")
    if os.path.exists(edges_path):
        with open(edges_path, encoding="utf-8") as fh:
            edges = fh.read().split("\n", 1)[1].lstrip("\n")
        w("## The edges (`bench/edges`)\n")
        w(edges)
        w("")
    notes_path = os.path.join(bench, "notes.md")
    if os.path.exists(notes_path):
        with open(notes_path, encoding="utf-8") as fh:
            w(fh.read())
    with open(os.path.join(bench, "results.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(L).rstrip() + "\n")
    plots(bench, st, mem_rows)


if __name__ == "__main__":
    main()
