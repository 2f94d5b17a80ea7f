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
import re
import shlex
import shutil
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
        # Every contender starts with no dirty buffers of an earlier one to write: with fsync
        # on, a checkpoint that falls inside one contender's timing would charge it the others'
        # writes.
        self.query("postgres", "CHECKPOINT")

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
        host, port = self.env["PGHOST"], self.env["PGPORT"]
        tcp = not host.startswith("/")
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
            url = (f"postgres://postgres@{host}:{port}/{db}?sslmode=disable" if tcp else
                   f"postgres://postgres@/{db}?socket={host}&port={port}&sslmode=disable")
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
    @staticmethod
    def slow_kind(cid, kind):
        """The contenders the budget applies to: the peers and the psql-per-file loop. The
        limit, the psql session and migrations_schema's own rows always get every repetition."""
        return kind == "peer" or cid == "psqlloop"

    def budget_reps(self, seconds_per_rep):
        """Repetitions that fit the budget for one slow contender and set, between the minimum
        and the requested number."""
        if seconds_per_rep <= 0:
            return self.a.reps
        fit = int(self.a.contender_budget // seconds_per_rep)
        return max(min(self.a.min_reps, self.a.reps), min(self.a.reps, fit))

    def plan_reps(self, wl, n, cid, kind, phases):
        """Repetitions and phases for one contender before its first repetition, from the
        projection of the smaller sets (only from N = cap_from_n on, where two smaller sets
        are known). Returns (reps, phases, [(scope, note)])."""
        reps = self.a.reps
        if not self.slow_kind(cid, kind) or n < self.a.cap_from_n:
            return reps, phases, []
        proj = {p: self.projection(cid, p, n) for p in phases}
        if any(v is None for v in proj.values()):
            return reps, phases, []
        notes = []
        kept = []
        for p in phases:
            # One phase alone over the cap is not run at this N (dbmate's down, one process per
            # migration, is the usual one); the contender's other phases still are.
            if proj[p] > self.a.rep_cap:
                notes.append((p, f"not run at this N: projected {proj[p]:.0f} s for one "
                                 f"repetition (from N={self.last_two(cid, p)}), over the cap "
                                 f"of {self.a.rep_cap:.0f} s"))
            else:
                kept.append(p)
        if not kept:
            return 0, [], notes
        total = sum(proj[p] for p in kept)
        reps = self.budget_reps(total)
        return reps, kept, notes

    def last_two(self, cid, phase):
        pts = sorted(self.medians.get((cid, phase), {}))[-2:]
        return " and ".join(f"{x:,}" for x in pts)

    def projection(self, cid, phase, n):
        """Time of one phase at N, from the two largest smaller trivial sets, as
        t = a*N + b*N^2 with a, b >= 0: a cost per migration that may grow with N (dbmate's
        down, one process per migration that reads all N files, does), never shrink. A power
        law through two points would underestimate exactly those."""
        pts = self.medians.get((cid, phase))
        if not pts or len(pts) < 2:
            return None
        (n1, t1), (n2, t2) = sorted(pts.items())[-2:]
        if t1 <= 0 or t2 <= 0:
            return None
        b = (t2 / n2 - t1 / n1) / (n2 - n1)
        if b <= 0:
            return t2 * n / n2
        a = t2 / n2 - b * n2
        if a < 0:
            a, b = 0.0, t2 / (n2 * n2)
        return a * n + b * n * n

    def run_workload(self, wl, wl_dir, n, only=None):
        contenders = self.contenders()
        if only:
            contenders = {k: v for k, v in contenders.items() if k in only}
        plans = {}
        for cid, (kind, label, factory, ext) in contenders.items():
            cmds = factory(wl_dir, n, "probe")
            phases = [p for p in PHASES if cmds.get(p)]
            reps, phases, notes = self.plan_reps(wl, n, cid, kind, phases)
            plans[cid] = (reps, phases)
            for scope, note in notes:
                log(f"{wl}: {cid} ({scope}): {note}")
                self.record(wl, n, cid, 0, f"note:{scope}", 0, True, note)
        failed = set()
        first = {}
        rep = 0
        while True:
            rep += 1
            if all(rep > r for r, _ in plans.values()):
                break
            for cid, (kind, label, factory, ext) in contenders.items():
                reps, phases = plans[cid]
                if rep > reps or cid in failed:
                    continue
                if (rep == 2 and n >= self.a.cap_from_n_slow and cid in first
                        and self.slow_kind(cid, kind)):
                    # From its first repetition on, a slow contender's repetitions follow the
                    # budget (fewer, or back up to all of them if the projection was too
                    # pessimistic): the time goes to the others' repetitions. Said in
                    # results.md next to every figure concerned.
                    want = self.budget_reps(first[cid])
                    plans[cid] = (want, phases)
                    if want != reps:
                        log(f"{wl}: {cid}: {want} repetitions (the first took {first[cid]:.0f} s)")
                    if rep > want:
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
        for cid, (kind, label, factory, ext) in contenders.items():
            reps, phases = plans[cid]
            if cid in failed or not phases or reps >= self.a.reps:
                continue
            note = (f"{reps} of {self.a.reps} repetitions: "
                    + (f"the first took {first[cid]:.0f} s" if cid in first else "")
                    + f" (budget {self.a.contender_budget:.0f} s per slow contender and set)")
            log(f"{wl}: {cid}: {note}")
            self.record(wl, n, cid, 0, "note", 0, True, note)
        if wl.startswith("trivial") and not wl.endswith("_tcp"):
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
    def lint(self, sets, out):
        """migrate_lint_pending() over N registered, pending migrations, and what linting costs
        migrate_apply (migrations_schema.lint = warn, the default, against off)."""
        probe = "b_lint_probe"
        self.fresh_db(probe, True)
        try:
            exists = self.query(probe, "SELECT to_regproc('migrate_lint_pending') IS NOT NULL") == "t"
        finally:
            self.drop_db(probe)
        if not exists:
            out["lint"] = "migrate_lint does not exist in this build: not measured"
            return
        out["lint"] = {}
        for name, wl_dir, n in sets:
            db = f"b_lint_{name}"
            self.fresh_db(db, True)
            try:
                self.query(db, f"SELECT migrate_load_dir('{wl_dir}/ms')")
                ts, findings = [], None
                for _ in range(self.a.reps):
                    dt, rc = self.sh(f"{PSQL} -d {db} -c 'SELECT count(*) FROM migrate_lint_pending()' "
                                     f">/dev/null", check=False)
                    if rc != 0:
                        raise RuntimeError("SELECT count(*) FROM migrate_lint_pending() failed")
                    ts.append(dt)
                findings = self.query(db, "SELECT count(*) FROM migrate_lint_pending()")
                out["lint"][name] = {"n": n, "median_s": statistics.median(ts), "samples": ts,
                                     "findings": int(findings)}
                log(f"lint {name}: median {statistics.median(ts):.3f}s, {findings} findings")
            except Exception as e:
                out["lint"][name] = {"n": n, "error": str(e)}
            finally:
                self.drop_db(db)
        # The same apply with the setting off and at its default, interleaved.
        name, wl_dir, n = sets[0]
        samples = {"warn": [], "off": []}
        for rep in range(1, self.a.reps + 1):
            for policy in ("warn", "off"):
                db = f"b_lintcost_{policy}_{rep}"
                self.fresh_db(db, True)
                try:
                    env = dict(self.env)
                    env["PGOPTIONS"] += f" -c migrations_schema.lint={policy}"
                    dt, rc = self.sh(f"{PSQL} -1 -d {db} -c \"SELECT migrate_load_dir('{wl_dir}/ms')\" "
                                     f"-c 'SELECT count(*) FROM migrate_apply()' >/dev/null",
                                     env=env, check=False)
                    if rc == 0:
                        samples[policy].append(dt)
                finally:
                    self.drop_db(db)
        out["lint_cost"] = {"set": name, "n": n,
                            **{p: statistics.median(v) for p, v in samples.items() if v},
                            "samples": samples}
        log(f"lint cost on {name}: {out['lint_cost']}")

    # -- lint throughput on real SQL -----------------------------------------------------------
    def lint_real(self, corpora, target_mb, out):
        """migrate_lint(sql) over about TARGET_MB of real migration SQL: every up script of the
        folders under CORPORA, repeated until the total reaches the target, one call per script.

        The scripts are put in a table first (not timed); the timed command is one psql running
        one query that calls migrate_lint once per row. Its floor, timed interleaved with it,
        is the same command reading the same rows without linting. Two catalogs: a new
        database (no relation the scripts name exists), and, folder by folder, a database where
        that folder was applied first (CALL migrate_run()), so that relation lookups find
        their tables and the rules that need an existing relation can fire. Statements are
        counted once per distinct script by the linter's own numbering (see count_sql)."""
        folders = {}
        for dirpath, dirnames, filenames in os.walk(corpora):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(".up.sql"):
                    path = os.path.join(dirpath, f)
                    with open(path, "rb") as fh:
                        text = fh.read().decode("utf-8")
                    rel = os.path.relpath(path, corpora)
                    folders.setdefault(rel.split(os.sep)[0], []).append((rel, text))
        folders = {k: v for k, v in folders.items() if os.sep in v[0][0]}  # not loose files
        texts = [t for v in folders.values() for t in v]
        if not texts:
            out["lint_real"] = {"skipped": f"no */*.up.sql under {corpora}"}
            return
        corpus_bytes = sum(len(t.encode("utf-8")) for _, t in texts)
        copies = max(1, -(-int(target_mb * 1_000_000) // corpus_bytes))  # ceiling
        tag = "$bench_lint_src$"
        if any(tag in t for _, t in texts):
            out["lint_real"] = {"error": f"a script contains {tag}, the quote the loader uses"}
            return

        def load_script(name, items):
            path = os.path.join(self.a.work, f"lint_real_{name}.sql")
            with open(path, "w", encoding="utf-8") as fh:
                # EXTERNAL: out of line but not compressed, so that reading a row costs a
                # copy, not a decompression.
                fh.write("CREATE TABLE lint_src (file text PRIMARY KEY, sql text NOT NULL);\n"
                         "ALTER TABLE lint_src ALTER sql SET STORAGE EXTERNAL;\n")
                for rel, text in items:
                    fh.write(f"INSERT INTO lint_src VALUES ({tag}{rel}{tag}, {tag}{text}{tag});\n")
                fh.write("CREATE TABLE lint_input (copy int, file text, sql text NOT NULL);\n"
                         "ALTER TABLE lint_input ALTER sql SET STORAGE EXTERNAL;\n"
                         f"INSERT INTO lint_input SELECT c, file, sql FROM lint_src, "
                         f"generate_series(1, {copies}) AS c ORDER BY c, file;\n"
                         "VACUUM ANALYZE lint_input;\n")
            return path

        # The statement count: a sentinel statement the linter always flags (VACUUM FULL
        # without a table: rule full-rewrite, whatever the catalog holds) appended after a
        # line break and a semicolon; its number minus one is how many statements the linter
        # numbered in the script itself (empty statements are not statements to raw_parser).
        # A script that does not parse yields only a syntax-error row: NULL, reported.
        count_sql = ("SELECT file, (SELECT max(statement) - 1 FROM migrate_lint(sql || "
                     "E'\\n;\\nVACUUM FULL;') WHERE rule = 'full-rewrite' AND message LIKE "
                     "'VACUUM FULL without a table%') FROM lint_src ORDER BY file")
        findings_sql = ("SELECT count(*) FROM lint_src AS s, LATERAL migrate_lint(s.sql) AS f")
        # No memoization of the repeated arguments (migrate_lint is STABLE) and no JIT
        # compilation in either command: each row is linted, and nothing else is timed.
        env = dict(self.env)
        env["PGOPTIONS"] += " -c enable_memoize=off -c jit=off"
        cmds = {"lint": "SELECT count(*) FROM lint_input AS i, LATERAL migrate_lint(i.sql) AS f",
                "floor": "SELECT sum(octet_length(i.sql)) FROM lint_input AS i"}

        # variant -> list of databases whose timings add up to one pass over all the scripts
        variants = {"new": ["b_lint_real_new"], "applied": []}
        result = {"corpora": corpora, "files": len(texts), "folders": sorted(folders),
                  "corpus_bytes": corpus_bytes, "copies": copies, "reps": self.a.reps,
                  "variants": {}}
        made = []
        try:
            db = "b_lint_real_new"
            self.fresh_db(db, True)
            made.append(db)
            self.sh(f"{PSQL} -d {db} -f {shlex.quote(load_script('all', texts))} >/dev/null")
            counts = {}
            for line in self.query(db, count_sql).splitlines():
                rel, _, n = line.rpartition("|")
                counts[rel] = int(n) if n else None
            stored = self.query(db, "SELECT count(*) || '|' || sum(octet_length(sql)) "
                                    "FROM lint_input").split("|")
            once = sum(n for n in counts.values() if n)
            result.update(calls=int(stored[0]), bytes=int(stored[1]), statements_once=once,
                          statements=once * copies,
                          unparsed=sorted(f for f, n in counts.items() if n is None))
            result["variants"]["new"] = {"findings": int(self.query(db, findings_sql)) * copies}
            # The same scripts, each folder in a database where it was applied first.
            applied_findings = 0
            try:
                for name, items in folders.items():
                    db = "b_lint_real_app_" + re.sub(r"\W", "_", name).lower()
                    self.fresh_db(db, True)
                    made.append(db)
                    src = os.path.join(corpora, name)
                    copy = os.path.join(self.a.work, "lint_corpora", name)
                    if not os.path.isdir(copy):   # the server reads it as its own OS user
                        os.makedirs(os.path.dirname(copy), exist_ok=True)
                        shutil.copytree(src, copy)
                        subprocess.run(["chmod", "-R", "a+rX", os.path.dirname(copy)], check=True)
                    _, rc = self.sh(f"{PSQL} -d {db} -c \"SELECT migrate_load_dir('{copy}')\" "
                                    f"-c 'CALL migrate_run()' >/dev/null", check=False)
                    if rc != 0:
                        raise RuntimeError(f"applying {name} with migrate_run failed (exit {rc})")
                    self.sh(f"{PSQL} -d {db} -f {shlex.quote(load_script(name, items))} "
                            f">/dev/null")
                    applied_findings += int(self.query(db, findings_sql)) * copies
                    variants["applied"].append(db)
                result["variants"]["applied"] = {"findings": applied_findings}
            except Exception as e:  # the new-database figure stands on its own
                log(f"lint_real: applied catalog not measured: {e}")
                result["variants"]["applied"] = {"error": str(e)}
                variants["applied"] = []
            samples = {(v, k): [] for v, dbs in variants.items() if dbs for k in cmds}
            for rep in range(1, self.a.reps + 1):
                for (v, k) in samples:
                    total = 0.0
                    for db in variants[v]:
                        dt, _ = self.sh(f"{PSQL} -d {db} -c '{cmds[k]}' >/dev/null", env=env)
                        total += dt
                    samples[(v, k)].append(total)
                log(f"lint_real rep {rep}: " + " ".join(f"{v}/{k}={ts[-1]:.3f}s"
                                                        for (v, k), ts in samples.items()))
            for (v, k), ts in samples.items():
                d = result["variants"][v]
                d[f"{k}_s"] = statistics.median(ts)
                d[f"{k}_samples"] = ts
                d["commands"] = len(variants[v])
            out["lint_real"] = result
            log(f"lint_real: {len(texts)} scripts x {copies} = {result['bytes'] / 1e6:.1f} MB, "
                f"{result['statements']} statements: " +
                ", ".join(f"{v} {d['lint_s']:.3f}s" for v, d in result["variants"].items()
                          if "lint_s" in d))
        except Exception as e:  # shown in results.md
            out["lint_real"] = {"error": str(e)}
            log(f"lint_real: FAILED {e}")
        finally:
            for db in made:
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
    p.add_argument("--small", type=int, default=200)
    p.add_argument("--corpus", default="")
    p.add_argument("--big-mb", type=int, default=100)
    p.add_argument("--cap-from-n", type=int, default=10000)
    p.add_argument("--rep-cap", type=float, default=600.0)
    p.add_argument("--contender-budget", type=float, default=180.0)
    p.add_argument("--cap-from-n-slow", type=int, default=1000)
    p.add_argument("--min-reps", type=int, default=1)
    p.add_argument("--pg-migrate", default="")
    p.add_argument("--dbmate", default="")
    p.add_argument("--node-pg-migrate", default="")
    p.add_argument("--sql-migrate", default="")
    p.add_argument("--sqitch", default="")
    p.add_argument("--lint-corpora", default="")
    p.add_argument("--lint-mb", type=float, default=10.0)
    p.add_argument("--gen", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen.py"))
    p.add_argument("--only", default="", help="comma-separated workloads (for trials)")
    p.add_argument("--transports", default="socket,tcp",
                   help="socket (PGHOST), tcp (127.0.0.1): each workload is timed over each")
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
    workloads.append((f"small{a.small}", "small", a.small))
    if a.corpus and os.path.isdir(a.corpus):
        workloads.append((os.path.basename(a.corpus.rstrip("/")), "corpus", a.corpus))
    sections = info.setdefault("sections", {})   # wall time of each part, for results.md

    def timed(name, fn):
        t0 = time.perf_counter()
        try:
            fn()
        finally:
            sections[name] = round(time.perf_counter() - t0, 1)

    socket_host = b.env["PGHOST"]
    transports = [t for t in a.transports.split(",") if t]
    for name, kind, arg in workloads:
        if only and name not in only:
            continue
        d, n = gen(name, kind, arg)
        for transport in transports:
            # Over TCP the workload's name carries the suffix, which report.py reads.
            b.env["PGHOST"] = socket_host if transport == "socket" else "127.0.0.1"
            wl = name if transport == "socket" else f"{name}_tcp"
            log(f"== {wl}: {n} migrations over {transport}")
            timed(wl, lambda: b.run_workload(wl, d, n))
    b.env["PGHOST"] = socket_host
    if not only or "memory" in only:
        d, _ = gen("big", "big", a.big_mb)
        log(f"== memory: one migration of ~{a.big_mb} MB")
        timed("memory", lambda: b.memory(d))
    if not only or "lint" in only:
        sets = [("trivial1000", *gen("trivial1000", "trivial", 1000)),
                (f"mix{a.mix}", *gen(f"mix{a.mix}", "mix", a.mix))]
        if a.corpus and os.path.isdir(a.corpus):
            name = os.path.basename(a.corpus.rstrip("/"))
            sets.append((name, *gen(name, "corpus", a.corpus)))
        timed("lint", lambda: b.lint(sets, info))
    if not only or "lint_real" in only:
        if a.lint_corpora and os.path.isdir(a.lint_corpora):
            log(f"== lint throughput: ~{a.lint_mb:g} MB of the up scripts under {a.lint_corpora}")
            timed("lint_real", lambda: b.lint_real(a.lint_corpora, a.lint_mb, info))
        else:
            info["lint_real"] = {"skipped": f"{a.lint_corpora or 'no corpora folder given'} "
                                            f"does not exist"}
    with open(a.info, "w", encoding="utf-8") as fh:
        json.dump(info, fh, indent=1)


if __name__ == "__main__":
    main()
