#!/usr/bin/env python3
"""Runs the contenders against the workloads, interleaved, and appends raw timings.

Called by bench/run with the cluster already up (PGHOST, PGPORT, PGUSER set):

    harness.py --work WORK --raw RAW.tsv --mem MEM.tsv [--reps 5] [--mem-reps 3] ...

Every measurement is one command line, timed from fork to exit (process start, connection
and all), on a database created for that contender and repetition and dropped afterwards.
Within a workload the repetitions are interleaved: rep 1 of every contender, then rep 2 of
every contender, and so on, so that a burst of load from other users of the machine hits
all contenders alike. Medians are taken by report.py.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

PSQL = "psql -X -q -v ON_ERROR_STOP=1"
FINGERPRINT_SQL = (
    "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "        WHERE n.nspname = 'public'"
    "          AND c.relname !~ '^(schema_migrations|pgmigrations|gorp_migrations|migration_history)')"
    " || '/' || (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    "        JOIN pg_namespace n ON n.oid = c.relnamespace"
    "        WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped"
    "          AND c.relname !~ '^(schema_migrations|pgmigrations|gorp_migrations|migration_history)')"
    " || '/' || (SELECT count(*) FROM pg_enum)")
PHASES = ("up", "noop", "noop_full", "status", "down")


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


class Bench:
    def __init__(self, args):
        self.a = args
        self.raw = open(args.raw, "a", encoding="utf-8")
        self.logf = open(os.path.join(args.work, "commands.log"), "a", encoding="utf-8")
        self.env = dict(os.environ)
        # Every contender gets the same quiet session: no NOTICE traffic to print.
        self.env["PGOPTIONS"] = "-c client_min_messages=warning"

    # -- plumbing ---------------------------------------------------------------------------
    def sh(self, cmd, cwd=None, env=None, check=True):
        """Runs a shell command, output to the log; returns (seconds, returncode)."""
        self.logf.write(f"$ {cmd}\n")
        self.logf.flush()
        t0 = time.perf_counter()
        rc = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env or self.env,
                            stdout=self.logf, stderr=subprocess.STDOUT).returncode
        dt = time.perf_counter() - t0
        if check and rc != 0:
            raise RuntimeError(f"exit {rc}: {cmd[:200]}")
        return dt, rc

    def query(self, db, sql):
        out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                             env=self.env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"query failed on {db}: {out.stderr.strip()}")
        return out.stdout.strip()

    def fresh_db(self, db, extension):
        self.query("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        self.query("postgres", f"CREATE DATABASE {db}")
        if extension:
            self.query(db, "CREATE EXTENSION migrations_schema")

    def drop_db(self, db):
        self.query("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    def record(self, wl, n, contender, rep, phase, seconds, ok, note=""):
        self.raw.write(f"{wl}\t{n}\t{contender}\t{rep}\t{phase}\t{seconds:.6f}\t"
                       f"{'ok' if ok else 'fail'}\t{note}\n")
        self.raw.flush()

    # -- contenders -------------------------------------------------------------------------
    def contenders(self):
        """id -> (kind, label, factory(wl_dir, n, db) -> dict phase -> command or None)."""
        a = self.a
        host, port = os.environ["PGHOST"], os.environ["PGPORT"]
        q = shlex.quote

        def psql1(d, n, db):
            return {"up": f"{PSQL} -1 -d {db} -f {d}/psql/all_up.sql",
                    "noop": f"{PSQL} -d {db} -c 'SELECT 1' >/dev/null",
                    "status": f"{PSQL} -d {db} -c 'SELECT 1' >/dev/null",
                    "down": f"{PSQL} -1 -d {db} -f {d}/psql/all_down.sql"}

        def psqlsess(d, n, db):
            return {"up": f"{PSQL} -d {db} -f {d}/psql/session_up.sql",
                    "down": f"{PSQL} -d {db} -f {d}/psql/session_down.sql"}

        def loop(lst, db):
            return (f"while IFS= read -r f; do {PSQL} -1 -d {db} -f \"$f\" || exit 1; "
                    f"done < {lst}")

        def psqlloop(d, n, db):
            return {"up": loop(f"{d}/psql/up.list", db), "down": loop(f"{d}/psql/down.list", db)}

        def ms_apply(d, n, db):
            up = (f"{PSQL} -1 -d {db} -c \"SELECT migrate_load_dir('{d}/ms')\" "
                  f"-c 'SELECT count(*) FROM migrate_apply()' >/dev/null")
            return {"up": up,
                    "noop": f"{PSQL} -d {db} -c 'SELECT count(*) FROM migrate_apply()' >/dev/null",
                    "noop_full": up,
                    "status": f"{PSQL} -d {db} -c 'SELECT count(*) FROM migrate_status()' >/dev/null",
                    "down": f"{PSQL} -d {db} -c "
                            f"'SELECT count(*) FROM migrate_rollback(everything => true)' >/dev/null"}

        def ms_run(d, n, db):
            up = (f"{PSQL} -d {db} -c \"SELECT migrate_load_dir('{d}/ms')\" "
                  f"-c 'CALL migrate_run()' >/dev/null")
            return {"up": up, "noop": f"{PSQL} -d {db} -c 'CALL migrate_run()' >/dev/null",
                    "noop_full": up}

        def pgm(d, n, db):
            b = f"PGDATABASE={db} {q(a.pg_migrate)}"
            return {"up": f"{b} apply {d}/ms >/dev/null",
                    "noop": f"{b} apply >/dev/null",
                    "noop_full": f"{b} apply {d}/ms >/dev/null",
                    "status": f"{b} status >/dev/null",
                    "down": f"{b} rollback --everything >/dev/null"}

        def dbmate(d, n, db):
            url = f"postgres://postgres@/{db}?socket={host}&port={port}&sslmode=disable"
            b = f"{q(a.dbmate)} --url {q(url)} -d {d}/dbmate --no-dump-schema"
            # dbmate rolls back one migration per call: all of them is N calls.
            return {"up": f"{b} migrate", "noop": f"{b} migrate", "status": f"{b} status",
                    "down": f"for i in $(seq {n}); do {b} rollback >/dev/null || exit 1; done"}

        def npm(d, n, db):
            url = f"postgres://postgres@localhost/{db}?host={host}&port={port}"
            b = f"DATABASE_URL={q(url)} {q(a.node_pg_migrate)}"
            o = f"-m {d}/npm --verbose false"
            return {"up": f"{b} up {o}", "noop": f"{b} up {o}", "down": f"{b} down {n} {o}"}

        def sqlmigrate(d, n, db):
            cfg = os.path.join(a.work, "sqlmigrate", f"{db}.yml")
            os.makedirs(os.path.dirname(cfg), exist_ok=True)
            with open(cfg, "w", encoding="utf-8") as fh:
                fh.write(f"bench:\n  dialect: postgres\n  datasource: host={host} port={port} "
                         f"user=postgres dbname={db} sslmode=disable\n  dir: {d}/sqlmigrate\n")
            b = f"{q(a.sql_migrate)} %s -config={cfg} -env=bench"
            return {"up": b % "up", "noop": b % "up", "status": b % "status",
                    "down": (b % "down") + " -limit=0"}

        def sqitch(d, n, db):
            b = f"cd {d}/sqitch && {q(a.sqitch)} %s db:pg:{db}"
            return {"up": b % "deploy", "noop": b % "deploy", "status": b % "status",
                    "down": b % "revert -y"}

        out = {
            "psql1": ("limit", "psql -1 -f (all ups concatenated)", psql1, False),
            "psqlsess": ("baseline", "psql, one session, BEGIN/COMMIT per file", psqlsess, False),
            "psqlloop": ("baseline", "psql per file (shell loop)", psqlloop, False),
            "ms_apply": ("ms", "migrations_schema migrate_apply()", ms_apply, True),
            "ms_run": ("ms", "migrations_schema CALL migrate_run()", ms_run, True),
        }
        if a.pg_migrate:
            out["pgm"] = ("ms", "pg_migrate apply DIR", pgm, True)
        if a.dbmate:
            out["dbmate"] = ("peer", "dbmate", dbmate, False)
        if a.node_pg_migrate:
            out["npm"] = ("peer", "node-pg-migrate", npm, False)
        if a.sql_migrate:
            out["sqlmigrate"] = ("peer", "sql-migrate", sqlmigrate, False)
        if a.sqitch:
            out["sqitch"] = ("peer", "sqitch", sqitch, False)
        return out

    # -- time workloads ---------------------------------------------------------------------
    def plan_reps(self, wl, n, cid, kind, phases):
        """Repetitions and phases for one contender, capped for slow peers at large N only."""
        reps = self.a.reps
        if not (kind == "peer" or cid == "psqlloop") or n < self.a.cap_from_n:
            return reps, phases, ""
        proj = {p: self.projection(cid, p, n) for p in phases}
        if any(v is None for v in proj.values()):
            return reps, phases, ""
        note = ""
        kept = list(phases)
        total = sum(proj.values())
        if total > self.a.rep_cap and "down" in kept and total - proj["down"] <= self.a.rep_cap:
            kept.remove("down")
            note = (f"down not run: projected {proj['down']:.0f} s per repetition from the "
                    f"smaller sets")
            total -= proj["down"]
        if total > self.a.rep_cap:
            return 0, [], (f"not run: projected {total:.0f} s per repetition "
                           f"(up {proj['up']:.0f} s) from the smaller sets")
        if total * reps > self.a.contender_budget:
            reps = max(self.a.min_reps, min(reps, int(self.a.contender_budget // total)))
            note = (note + "; " if note else "") + \
                f"{reps} repetitions (projected {total:.0f} s each)"
        return reps, kept, note

    def projection(self, cid, phase, n):
        """Extrapolates from the two smaller trivial sets with their own growth exponent."""
        pts = self.medians.get((cid, phase))
        if not pts or len(pts) < 2:
            return None
        (n1, t1), (n2, t2) = sorted(pts.items())[-2:]
        if t1 <= 0 or t2 <= 0:
            return None
        import math
        k = max(1.0, math.log(t2 / t1) / math.log(n2 / n1))
        return t2 * (n / n2) ** k

    def run_workload(self, wl, wl_dir, n, only=None):
        contenders = self.contenders()
        if only:
            contenders = {k: v for k, v in contenders.items() if k in only}
        plans = {}
        for cid, (kind, label, factory, ext) in contenders.items():
            cmds = factory(wl_dir, n, "probe")
            phases = [p for p in PHASES if cmds.get(p)]
            reps, phases, note = self.plan_reps(wl, n, cid, kind, phases)
            plans[cid] = (reps, phases)
            if note:
                log(f"{wl}: {cid}: {note}")
                self.record(wl, n, cid, 0, "note", 0, True, note)
        failed = set()
        first = {}
        max_reps = max((r for r, _ in plans.values()), default=0)
        for rep in range(1, max_reps + 1):
            for cid, (kind, label, factory, ext) in contenders.items():
                reps, phases = plans[cid]
                if rep > reps or cid in failed:
                    continue
                if (rep == 2 and n >= self.a.cap_from_n_slow and cid in first
                        and (kind == "peer" or cid == "psqlloop")):
                    # A contender whose first repetition alone is slow gets fewer: the time
                    # goes to the others' five. Said in results.md.
                    budget_reps = max(self.a.min_reps, int(self.a.contender_budget // first[cid]))
                    if budget_reps < reps:
                        plans[cid] = (budget_reps, phases)
                        note = (f"{budget_reps} repetitions: the first took {first[cid]:.0f} s "
                                f"(budget {self.a.contender_budget:.0f} s per contender and set)")
                        log(f"{wl}: {cid}: {note}")
                        self.record(wl, n, cid, 0, "note", 0, True, note)
                        if rep > budget_reps:
                            continue
                db = f"b_{wl}_{cid}_{rep}".lower()
                try:
                    self.fresh_db(db, ext)
                    cmds = factory(wl_dir, n, db)
                    times = {}
                    for phase in phases:
                        dt, rc = self.sh(cmds[phase], check=False)
                        if rc != 0:
                            raise RuntimeError(f"{phase} exited {rc}")
                        times[phase] = dt
                        self.record(wl, n, cid, rep, phase, dt, True)
                        if phase == "up":
                            self.record(wl, n, cid, rep, "fp_up", 0, True,
                                        self.query(db, FINGERPRINT_SQL))
                        if phase == "down":
                            self.record(wl, n, cid, rep, "fp_down", 0, True,
                                        self.query(db, FINGERPRINT_SQL))
                    log(f"{wl} rep {rep} {cid}: " +
                        " ".join(f"{p}={t:.3f}s" for p, t in times.items()))
                    if rep == 1:
                        first[cid] = sum(times.values())
                    for p, t in times.items():
                        self.samples.setdefault((wl, cid, p), []).append(t)
                except Exception as e:  # recorded, shown in results.md, never hidden
                    failed.add(cid)
                    log(f"{wl} rep {rep} {cid}: FAILED {e}")
                    self.record(wl, n, cid, rep, "error", 0, False, str(e).replace("\t", " "))
                finally:
                    self.drop_db(db)
        if wl.startswith("trivial"):
            for (w, cid, p), ts in self.samples.items():
                if w == wl:
                    self.medians.setdefault((cid, p), {})[n] = statistics.median(ts)

    # -- memory ------------------------------------------------------------------------------
    def memory(self, wl_dir):
        hwm = ("SELECT 'MEM %s ' || (regexp_match(s, 'VmHWM:\\s+(\\d+) kB'))[1] || ' ' ||"
               " (regexp_match(s, 'VmRSS:\\s+(\\d+) kB'))[1] || ' ' ||"
               " (regexp_match(s, 'RssAnon:\\s+(\\d+) kB'))[1]"
               " FROM pg_read_file('/proc/self/status') AS s;\n")
        with open(os.path.join(wl_dir, "psql", "up.list"), encoding="utf-8") as fh:
            files = [l.strip() for l in fh if l.strip()]
        scripts = {
            "psql_f": hwm % "before" + "".join(f"\\i {f}\n" for f in files) + hwm % "after",
            "psql_1f": hwm % "before" + "".join(f"\\i {f}\n" for f in files) + hwm % "after",
            "ms_apply": hwm % "before" + f"SELECT migrate_load_dir('{wl_dir}/ms');\n" +
                        hwm % "loaded" + "SELECT count(*) FROM migrate_apply();\n" + hwm % "after",
            "ms_run": hwm % "before" + f"SELECT migrate_load_dir('{wl_dir}/ms');\n" +
                      hwm % "loaded" + "CALL migrate_run();\n" + hwm % "after",
        }
        for cid, text in scripts.items():
            with open(os.path.join(self.a.work, f"mem_{cid}.sql"), "w", encoding="utf-8") as fh:
                fh.write(text)
        size = sum(os.path.getsize(f) for f in files)
        mem = open(self.a.mem, "a", encoding="utf-8")
        for rep in range(1, self.a.mem_reps + 1):
            for cid in scripts:
                db = f"b_mem_{cid}_{rep}"
                try:
                    self.fresh_db(db, cid.startswith("ms"))
                    one = "-1 " if cid in ("psql_1f", "ms_apply") else ""
                    cmd = (f"psql -X -q -At -v ON_ERROR_STOP=1 {one}-d {db} "
                           f"-f {self.a.work}/mem_{cid}.sql")
                    t0 = time.perf_counter()
                    out = subprocess.run(["bash", "-c", cmd], env=self.env, capture_output=True,
                                         text=True)
                    dt = time.perf_counter() - t0
                    if out.returncode != 0:
                        raise RuntimeError(out.stderr.strip()[-500:])
                    vals = {}
                    for line in out.stdout.splitlines():
                        if line.startswith("MEM "):
                            _, tag, h, r, anon = line.split()
                            vals[tag] = (int(h), int(r), int(anon))
                    rows = self.query(db, "SELECT count(*) FROM mem_t")
                    log(f"memory rep {rep} {cid}: {dt:.1f}s {vals} rows={rows}")
                    for tag, (h, r, anon) in vals.items():
                        mem.write(f"{cid}\t{rep}\t{tag}\t{h}\t{r}\t{anon}\t{dt:.3f}\t{size}\t{rows}\n")
                except Exception as e:
                    log(f"memory rep {rep} {cid}: FAILED {e}")
                    mem.write(f"{cid}\t{rep}\terror\t0\t0\t0\t0\t{size}\t{str(e)[:300]!r}\n")
                finally:
                    self.drop_db(db)
                mem.flush()
        mem.close()

    # -- lint --------------------------------------------------------------------------------
    def lint(self, wl_dir, n, out):
        db = "b_lint_probe"
        self.fresh_db(db, True)
        try:
            exists = self.query(db, "SELECT to_regproc('migrate_lint') IS NOT NULL") == "t"
            if not exists:
                out["lint"] = "migrate_lint does not exist in this build: not measured"
                return
            self.query(db, f"SELECT migrate_load_dir('{wl_dir}/ms')")
            ts = []
            for _ in range(self.a.reps):
                dt, rc = self.sh(f"{PSQL} -d {db} -c 'SELECT count(*) FROM migrate_lint()' "
                                 f">/dev/null", check=False)
                if rc != 0:
                    out["lint"] = "migrate_lint exists but SELECT count(*) FROM migrate_lint() failed"
                    return
                ts.append(dt)
            out["lint"] = {"n": n, "median_s": statistics.median(ts), "samples": ts}
        finally:
            self.drop_db(db)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--mem", required=True)
    p.add_argument("--info", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--mem-reps", type=int, default=3)
    p.add_argument("--sizes", default="100,1000,10000")
    p.add_argument("--mix", type=int, default=100)
    p.add_argument("--corpus", default="")
    p.add_argument("--big-mb", type=int, default=100)
    p.add_argument("--cap-from-n", type=int, default=10000)
    p.add_argument("--rep-cap", type=float, default=600.0)
    p.add_argument("--contender-budget", type=float, default=200.0)
    p.add_argument("--cap-from-n-slow", type=int, default=1000)
    p.add_argument("--min-reps", type=int, default=2)
    p.add_argument("--pg-migrate", default="")
    p.add_argument("--dbmate", default="")
    p.add_argument("--node-pg-migrate", default="")
    p.add_argument("--sql-migrate", default="")
    p.add_argument("--sqitch", default="")
    p.add_argument("--gen", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen.py"))
    p.add_argument("--only", default="", help="comma-separated workloads (for trials)")
    a = p.parse_args()
    b = Bench(a)
    b.samples, b.medians = {}, {}
    info = {}
    only = set(filter(None, a.only.split(",")))

    def gen(name, kind, arg):
        d = os.path.join(a.work, "wl", name)
        if not os.path.exists(os.path.join(d, "count")):
            subprocess.run([sys.executable, a.gen, d, kind, str(arg)], check=True)
            subprocess.run(["chmod", "-R", "a+rX", d], check=True)
        with open(os.path.join(d, "count")) as fh:
            return d, int(fh.read())

    workloads = [(f"trivial{n}", "trivial", n) for n in map(int, a.sizes.split(","))]
    workloads.append((f"mix{a.mix}", "mix", a.mix))
    if a.corpus and os.path.isdir(a.corpus):
        workloads.append((os.path.basename(a.corpus.rstrip("/")), "corpus", a.corpus))
    for name, kind, arg in workloads:
        if only and name not in only:
            continue
        d, n = gen(name, kind, arg)
        log(f"== {name}: {n} migrations")
        b.run_workload(name, d, n)
    if not only or "memory" in only:
        d, _ = gen("big", "big", a.big_mb)
        log(f"== memory: one migration of ~{a.big_mb} MB")
        b.memory(d)
    if not only or "lint" in only:
        d, n = gen("trivial1000", "trivial", 1000)
        b.lint(d, n, info)
    with open(a.info, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=1)


if __name__ == "__main__":
    main()
