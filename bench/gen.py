#!/usr/bin/env python3
"""Writes one benchmark workload in every contender's folder format.

    gen.py OUT KIND [N]

KIND is `trivial` (N migrations, each CREATE TABLE with a matching DROP TABLE), `mix`
(N migrations over a 100,000-row table: add column, create index, data update, enum value,
view), `small` (N migrations of eight small statements each on new, empty tables: what
real projects' files look like), `corpus` (N is a folder of V0001.Name.up.sql / .down.sql pairs, read in place) or
`big` (one migration whose up script is about N MB of INSERT statements).

The same SQL text goes into each format:
    OUT/ms/        golang-migrate pairs, read by migrate_load_dir and pg_migrate
    OUT/psql/      all_up.sql / all_down.sql (concatenated), session_up.sql /
                   session_down.sql (BEGIN; \\i file; COMMIT; per file), up.list / down.list
    OUT/dbmate/    VERSION_name.sql with -- migrate:up / -- migrate:down
    OUT/npm/       VERSION_name.sql with -- Up Migration / -- Down Migration (node-pg-migrate)
    OUT/sqlmigrate/ VERSION_name.sql with -- +migrate Up / -- +migrate Down (sql-migrate)
    OUT/sqitch/    sqitch.conf, sqitch.plan, deploy/NAME.sql, revert/NAME.sql
"""
import os
import re
import sys


def trivial(n):
    for i in range(1, n + 1):
        # No index, no TOAST table: one relation per migration, so that the runner's own
        # cost is not buried under the catalog work of a bigger CREATE TABLE.
        up = (f"CREATE TABLE t_{i} (\n    id bigint NOT NULL,\n"
              f"    created_at timestamptz NOT NULL DEFAULT now()\n);\n")
        yield i, f"create_t_{i}", up, f"DROP TABLE t_{i};\n"


def mix(n):
    yield 1, "create_big", (
        "CREATE TYPE mood AS ENUM ('initial');\n"
        "CREATE TABLE big (\n    id bigint PRIMARY KEY,\n    v int NOT NULL,\n"
        "    note text NOT NULL,\n    m mood NOT NULL DEFAULT 'initial'\n);\n"
        "INSERT INTO big (id, v, note)\n"
        "    SELECT g, g % 1000, 'row ' || g FROM generate_series(1, 100000) AS g;\n"
        "ANALYZE big;\n"), "DROP TABLE big;\nDROP TYPE mood;\n"
    for i in range(2, n + 1):
        kind = (i - 2) % 5
        if kind == 0:
            yield i, f"add_column_c{i}", (f"ALTER TABLE big ADD COLUMN c{i} integer;\n"
                                          f"COMMENT ON COLUMN big.c{i} IS 'added by {i}';\n"), \
                f"ALTER TABLE big DROP COLUMN c{i};\n"
        elif kind == 1:
            yield i, f"index_{i}", f"CREATE INDEX big_idx_{i} ON big (v, id);\n", \
                f"DROP INDEX big_idx_{i};\n"
        elif kind == 2:
            yield i, f"update_{i}", (f"UPDATE big SET note = 'updated by {i}'\n"
                                     f"    WHERE id % 20 = {i % 20};\n"), \
                f"UPDATE big SET note = 'row ' || id WHERE id % 20 = {i % 20};\n"
        elif kind == 3:
            # PostgreSQL cannot drop an enum value: the down script is a no-op, and the type
            # goes with migration 1's down script.
            yield i, f"enum_v{i}", f"ALTER TYPE mood ADD VALUE 'v{i}';\n", \
                f"SELECT 1; -- an enum value cannot be dropped\n"
        else:
            yield i, f"view_{i}", (f"CREATE VIEW big_view_{i} AS\n"
                                   f"    SELECT id, v, note FROM big WHERE v = {i};\n"), \
                f"DROP VIEW big_view_{i};\n"


def small(n):
    # Every statement is quick: the cost is the per-statement work of the tool and the server
    # (parsing, locking, catalog updates, the tracking), not the data. No semicolon inside a
    # function body, so that tools that split on ';' read each statement whole.
    for i in range(1, n + 1):
        up = (f"CREATE TABLE s_{i} (id bigint PRIMARY KEY, name text NOT NULL);\n"
              f"ALTER TABLE s_{i} ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();\n"
              f"ALTER TABLE s_{i} ADD COLUMN parent bigint REFERENCES s_{i} (id);\n"
              f"ALTER TABLE s_{i} ADD CONSTRAINT s_{i}_name_check CHECK (name <> '');\n"
              f"CREATE INDEX s_{i}_name_idx ON s_{i} (name);\n"
              f"CREATE INDEX s_{i}_parent_idx ON s_{i} (parent);\n"
              f"COMMENT ON TABLE s_{i} IS 'table {i}';\n"
              f"CREATE FUNCTION s_{i}_label(s_{i}) RETURNS text LANGUAGE sql STABLE\n"
              f"    AS $$ SELECT $1.name || ' ({i})' $$;\n")
        down = f"DROP FUNCTION s_{i}_label(s_{i});\nDROP TABLE s_{i};\n"
        yield i, f"small_{i}", up, down


def corpus(folder):
    ups = {}
    downs = {}
    for f in sorted(os.listdir(folder)):
        m = re.fullmatch(r"V(\d+)\.(.+)\.(up|down)\.sql", f)
        if not m:
            continue
        with open(os.path.join(folder, f), encoding="utf-8") as fh:
            text = fh.read()
        (ups if m.group(3) == "up" else downs)[int(m.group(1))] = (m.group(2), text)
    for v in sorted(ups):
        name, up = ups[v]
        yield v, re.sub(r"\W", "_", name), up, downs.get(v, (name, ""))[1]


def big(megabytes):
    """Migration 1 creates the table; migration 2 is ~N MB of 10-row INSERT statements."""
    yield 1, "create_mem_t", "CREATE TABLE mem_t (id bigint, payload text);\n", \
        "DROP TABLE mem_t;\n"
    pad = "x" * 72
    rows_per_statement = 10
    parts = []
    size = 0
    i = 0
    target = megabytes * 1_000_000
    while size < target:
        values = ",".join(f"({i + k},'{pad}')" for k in range(rows_per_statement))
        stmt = f"INSERT INTO mem_t (id, payload) VALUES {values};\n"
        parts.append(stmt)
        size += len(stmt)
        i += rows_per_statement
    yield 2, "fill_mem_t", "".join(parts), "DELETE FROM mem_t;\n"


def write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    out, kind = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else "100"
    gen = {"trivial": lambda: trivial(int(arg)), "mix": lambda: mix(int(arg)),
           "small": lambda: small(int(arg)),
           "corpus": lambda: corpus(arg), "big": lambda: big(int(arg))}[kind]
    migrations = list(gen())
    # The memory workload is compared with psql only: no copies for the peers.
    peers = kind != "big"
    for d in ("ms", "psql", "dbmate", "npm", "sqlmigrate", "sqitch/deploy", "sqitch/revert"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    width = max(5, len(str(migrations[-1][0])))
    up_list, down_list = [], []
    plan = ["%syntax-version=1.0.0", "%project=bench", ""]
    for v, name, up, down in migrations:
        ver = str(v).zfill(width)
        stem = f"{ver}_{name}"
        up_path = os.path.join(out, "ms", f"{stem}.up.sql")
        down_path = os.path.join(out, "ms", f"{stem}.down.sql")
        write(up_path, up)
        write(down_path, down)
        up_list.append(up_path)
        down_list.append(down_path)
        if not peers:
            continue
        write(os.path.join(out, "dbmate", f"{stem}.sql"),
              f"-- migrate:up\n{up}\n-- migrate:down\n{down}\n")
        write(os.path.join(out, "npm", f"{stem}.sql"),
              f"-- Up Migration\n{up}\n-- Down Migration\n{down}\n")
        write(os.path.join(out, "sqlmigrate", f"{stem}.sql"),
              f"-- +migrate Up\n{up}\n-- +migrate Down\n{down}\n")
        change = f"m{stem}"
        # Sqitch's own templates wrap each script in BEGIN/COMMIT (it runs them with psql);
        # the comment keeps empty scripts apart: Sqitch refuses two changes whose deploy
        # scripts hash the same.
        write(os.path.join(out, "sqitch", "deploy", f"{change}.sql"),
              f"-- deploy {change}\nBEGIN;\n{up}\nCOMMIT;\n")
        write(os.path.join(out, "sqitch", "revert", f"{change}.sql"),
              f"-- revert {change}\nBEGIN;\n{down}\nCOMMIT;\n")
        plan.append(f"{change} 2024-01-01T00:00:00Z Bench <bench@example.invalid> # {name}")
    write(os.path.join(out, "sqitch", "sqitch.plan"), "\n".join(plan) + "\n")
    write(os.path.join(out, "sqitch", "sqitch.conf"),
          "[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
          "[engine \"pg\"]\n\tclient = psql\n"
          "[user]\n\tname = Bench\n\temail = bench@example.invalid\n"
          "[deploy]\n\tverify = false\n[rebase]\n\tverify = false\n")
    write(os.path.join(out, "psql", "up.list"), "\n".join(up_list) + "\n")
    write(os.path.join(out, "psql", "down.list"), "\n".join(reversed(down_list)) + "\n")
    # The concatenations: the same bytes the tools read, one file.
    with open(os.path.join(out, "psql", "all_up.sql"), "w", encoding="utf-8") as fh:
        for _, _, up, _ in migrations:
            fh.write(up)
            fh.write("\n")
    with open(os.path.join(out, "psql", "all_down.sql"), "w", encoding="utf-8") as fh:
        for _, _, _, down in reversed(migrations):
            fh.write(down)
            fh.write("\n")
    write(os.path.join(out, "psql", "session_up.sql"),
          "".join(f"BEGIN;\n\\i {p}\nCOMMIT;\n" for p in up_list))
    write(os.path.join(out, "psql", "session_down.sql"),
          "".join(f"BEGIN;\n\\i {p}\nCOMMIT;\n" for p in reversed(down_list)))
    write(os.path.join(out, "count"), f"{len(migrations)}\n")


if __name__ == "__main__":
    main()
