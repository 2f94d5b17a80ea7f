-- The fingerprint is the server's own catalog text, which PostgreSQL 18 writes differently
-- (views deparsed without table names, the owner's MAINTAIN privilege "m" in ACLs, newer
-- contrib versions): expected/fingerprint_1.out is the same test on 18.
-- migrate_schema_fingerprint() and migrate_schema_hash(): a canonical description of the
-- user schemas, {kind: {identity: {attribute: text}}}, and its SHA-256. Equal schemas get
-- equal hashes whatever order their objects were created in; any change to an object
-- changes the hash. No hash is printed: only comparisons, so the output does not depend on
-- the machine.
CALL regress.reset();
CREATE ROLE regress_fp_owner;
CREATE ROLE regress_fp_role;
CREATE FOREIGN DATA WRAPPER regress_fp_fdw;
CREATE SERVER regress_fp_server FOREIGN DATA WRAPPER regress_fp_fdw;
GRANT USAGE ON FOREIGN SERVER regress_fp_server TO regress_fp_owner;

-- Errors are caught and printed with their SQLSTATE (regress.try).

-- The kinds and identities in which two fingerprints differ (none: equal).
CREATE FUNCTION pg_temp.fp_diff(a jsonb, b jsonb) RETURNS TABLE (kind text, ident text)
LANGUAGE sql AS $$
    SELECT k.kind, o.ident
    FROM (SELECT jsonb_object_keys(a) AS kind UNION SELECT jsonb_object_keys(b)) k,
         LATERAL (SELECT jsonb_object_keys(coalesce(a -> k.kind, '{}'))
                  UNION SELECT jsonb_object_keys(coalesce(b -> k.kind, '{}'))) o(ident)
    WHERE (a -> k.kind -> o.ident) IS DISTINCT FROM (b -> k.kind -> o.ident)
    ORDER BY k.kind COLLATE "C", o.ident COLLATE "C"
$$;

-- One step of the change tests below: whether the hash of schema fp changed since the last
-- step, and the object at `path` before and after. The last state is kept in a temporary
-- table, which the fingerprint does not see.
CREATE TEMP TABLE fp_last (fp jsonb, hash text);
INSERT INTO fp_last VALUES (NULL, NULL);
CREATE FUNCTION pg_temp.fp_step(VARIADIC path text[])
RETURNS TABLE (changed boolean, before jsonb, after jsonb) LANGUAGE plpgsql AS $$
DECLARE
    cur jsonb := public.migrate_schema_fingerprint(ARRAY['fp']);
    h text := public.migrate_schema_hash(ARRAY['fp']);
BEGIN
    SELECT l.hash IS DISTINCT FROM h, l.fp #> path, cur #> path INTO changed, before, after
    FROM fp_last l;
    UPDATE fp_last SET fp = cur, hash = h;
    RETURN NEXT;
END;
$$;

------------------------------------------------------------------------------------------
-- Schema fp, built one way.
CREATE SCHEMA fp AUTHORIZATION regress_fp_owner;
CREATE EXTENSION citext SCHEMA fp;
SET ROLE regress_fp_owner;
COMMENT ON SCHEMA fp IS 'fingerprint test schema';
GRANT USAGE ON SCHEMA fp TO regress_fp_role;
CREATE TYPE fp.mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE fp.mood IS 'how it feels';
GRANT USAGE ON TYPE fp.mood TO regress_fp_role;
CREATE DOMAIN fp.posint AS integer NOT NULL DEFAULT 1
    CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE fp.pair AS (x integer, y text);
COMMENT ON COLUMN fp.pair.x IS 'first';
CREATE TYPE fp.floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE fp.counter AS bigint INCREMENT BY 5 MINVALUE 0 START 10 CACHE 2 CYCLE;
CREATE TABLE fp.parent (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL DEFAULT 'x',
    mood fp.mood,
    qty fp.posint CHECK (qty < 1000),
    doubled integer GENERATED ALWAYS AS (qty * 2) STORED,
    email fp.citext UNIQUE,
    span fp.floatrange,
    EXCLUDE USING gist (span WITH &&)
) WITH (fillfactor = 80, autovacuum_enabled = false);
COMMENT ON TABLE fp.parent IS 'the parent';
COMMENT ON COLUMN fp.parent.name IS 'its name';
ALTER TABLE fp.parent ALTER COLUMN mood SET STATISTICS 200;
CREATE INDEX parent_lower_name ON fp.parent (lower(name)) WHERE qty > 10;
CREATE TABLE fp.child (
    id serial PRIMARY KEY,
    parent_id bigint NOT NULL REFERENCES fp.parent (id) ON DELETE CASCADE,
    note text,
    pair fp.pair
);
CREATE INDEX child_parent_id_idx ON fp.child (parent_id);
COMMENT ON INDEX fp.child_parent_id_idx IS 'for the foreign key';
COMMENT ON CONSTRAINT child_parent_id_fkey ON fp.child IS 'children go with their parent';
CREATE TABLE fp.events (
    id integer NOT NULL,
    at date NOT NULL,
    seen timestamptz DEFAULT '2024-06-01 12:00:00+00',
    ttl interval DEFAULT '1 day 2 hours',
    ratio float8 DEFAULT 0.1
) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON fp.events (at);
CREATE TABLE fp.events_2024 PARTITION OF fp.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE fp.events_rest PARTITION OF fp.events DEFAULT;
CREATE TABLE fp.base_log (msg text);
CREATE TABLE fp.app_log (level integer) INHERITS (fp.base_log);
CREATE UNLOGGED TABLE fp.scratch (a integer);
CREATE TABLE fp."Odd ""Name""" ("Col.1" integer, "a\b" text);
COMMENT ON COLUMN fp."Odd ""Name"""."a\b" IS E'two\nlines, "quoted", back\\slash';
CREATE FOREIGN TABLE fp.remote (a integer OPTIONS (column_name 'x'))
    SERVER regress_fp_server OPTIONS (table_name 'r', schema_name 's');
CREATE VIEW fp.parent_names WITH (security_barrier) AS
    SELECT id, name FROM fp.parent WHERE qty > 1;
GRANT SELECT ON fp.parent_names TO regress_fp_role;
CREATE MATERIALIZED VIEW fp.child_counts AS
    SELECT parent_id, count(*) AS n FROM fp.child GROUP BY parent_id;
CREATE FUNCTION fp.add(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
REVOKE EXECUTE ON FUNCTION fp.add(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fp.add(integer, integer) TO regress_fp_role;
COMMENT ON FUNCTION fp.add(integer, integer) IS 'adds';
CREATE PROCEDURE fp.noop() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE AGGREGATE fp.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE FUNCTION fp.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.note := coalesce(NEW.note, '-');
    RETURN NEW;
END;
$$;
CREATE TRIGGER child_touch BEFORE INSERT ON fp.child
    FOR EACH ROW EXECUTE FUNCTION fp.touch();
ALTER TABLE fp.parent ENABLE ROW LEVEL SECURITY;
CREATE POLICY parent_visible ON fp.parent FOR SELECT TO regress_fp_role USING (qty > 0);
CREATE RULE scratch_quiet AS ON DELETE TO fp.scratch DO INSTEAD NOTHING;
CREATE STATISTICS fp.parent_stats (dependencies) ON name, mood FROM fp.parent;
GRANT SELECT, UPDATE (name) ON fp.parent TO regress_fp_role;
RESET ROLE;

SELECT migrate_schema_hash(ARRAY['fp']) AS first_hash,
       migrate_schema_fingerprint(ARRAY['fp']) AS first_fp \gset

-- The whole fingerprint, once, as documentation of its format: one row per attribute.
SELECT k.key AS kind, o.key AS identity, a.key AS attribute, a.value
FROM jsonb_each(:'first_fp'::jsonb) k, jsonb_each(k.value) o, jsonb_each_text(o.value) a
ORDER BY k.key COLLATE "C", o.key COLLATE "C", a.key COLLATE "C";
-- The hash is the SHA-256 of the fingerprint's text.
SELECT :'first_hash' = encode(sha256(convert_to(:'first_fp'::jsonb::text, 'UTF8')), 'hex')
       AS hash_of_fingerprint;
-- The extension's members (citext's functions, types and operators) are left out; the
-- extension itself is listed, with its schema.
SELECT :'first_fp'::jsonb -> 'extension' AS extensions,
       (SELECT count(*) FROM jsonb_object_keys(:'first_fp'::jsonb -> 'function') f
        WHERE f LIKE '%citext%') AS citext_functions;

SET client_min_messages = warning;
DROP SCHEMA fp CASCADE;
RESET client_min_messages;

------------------------------------------------------------------------------------------
-- The same schema built another way: functions first, columns in another order and some
-- added later, constraints added by ALTER TABLE, a dropped column, a partition attached
-- rather than created, indexes before their constraints, options and grants in another
-- order, a grant given and taken back, enum values added out of order.
CREATE SCHEMA fp AUTHORIZATION regress_fp_owner;
SET ROLE regress_fp_owner;
CREATE FUNCTION fp.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.note := coalesce(NEW.note, '-');
    RETURN NEW;
END;
$$;
CREATE PROCEDURE fp.noop() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION fp.add(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
GRANT EXECUTE ON FUNCTION fp.add(integer, integer) TO regress_fp_role;
REVOKE EXECUTE ON FUNCTION fp.add(integer, integer) FROM PUBLIC;
CREATE AGGREGATE fp.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE UNLOGGED TABLE fp.scratch (a integer);
CREATE RULE scratch_quiet AS ON DELETE TO fp.scratch DO INSTEAD NOTHING;
CREATE TABLE fp.app_log (level integer);
CREATE TABLE fp.base_log (msg text);
ALTER TABLE fp.app_log ADD COLUMN msg text;
ALTER TABLE fp.app_log INHERIT fp.base_log;
CREATE TYPE fp.pair AS (y text);
ALTER TYPE fp.pair ADD ATTRIBUTE x integer;
CREATE TYPE fp.mood AS ENUM ('ok');
ALTER TYPE fp.mood ADD VALUE 'happy';
ALTER TYPE fp.mood ADD VALUE 'sad' BEFORE 'ok';
CREATE TYPE fp.floatrange AS RANGE (subtype = float8);
CREATE DOMAIN fp.posint AS integer;
ALTER DOMAIN fp.posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0);
ALTER DOMAIN fp.posint SET DEFAULT 1;
ALTER DOMAIN fp.posint SET NOT NULL;
RESET ROLE;
CREATE EXTENSION citext SCHEMA fp;
SET ROLE regress_fp_owner;
CREATE TABLE fp.parent (
    email fp.citext,
    mood fp.mood,
    span fp.floatrange,
    dropped_soon integer,
    name text COLLATE "C" DEFAULT 'x',
    qty fp.posint
);
ALTER TABLE fp.parent DROP COLUMN dropped_soon;
ALTER TABLE fp.parent ALTER COLUMN name SET NOT NULL;
ALTER TABLE fp.parent ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE fp.parent ADD COLUMN doubled integer GENERATED ALWAYS AS (qty * 2) STORED;
ALTER TABLE fp.parent SET (autovacuum_enabled = false, fillfactor = 80);
CREATE INDEX parent_lower_name ON fp.parent (lower(name)) WHERE qty > 10;
ALTER TABLE fp.parent ADD CONSTRAINT parent_qty_check CHECK (qty < 1000);
ALTER TABLE fp.parent ADD CONSTRAINT parent_span_excl EXCLUDE USING gist (span WITH &&);
ALTER TABLE fp.parent ADD CONSTRAINT parent_email_key UNIQUE (email);
ALTER TABLE fp.parent ADD CONSTRAINT parent_pkey PRIMARY KEY (id);
ALTER TABLE fp.parent ALTER COLUMN mood SET STATISTICS 200;
CREATE STATISTICS fp.parent_stats (dependencies) ON mood, name FROM fp.parent;
CREATE POLICY parent_visible ON fp.parent FOR SELECT TO regress_fp_role USING (qty > 0);
ALTER TABLE fp.parent ENABLE ROW LEVEL SECURITY;
GRANT UPDATE (name) ON fp.parent TO regress_fp_role;
GRANT SELECT ON fp.parent TO regress_fp_role;
CREATE SEQUENCE fp.child_id_seq AS integer;
CREATE TABLE fp.child (pair fp.pair, note text);
CREATE TRIGGER child_touch BEFORE INSERT ON fp.child
    FOR EACH ROW EXECUTE FUNCTION fp.touch();
ALTER TABLE fp.child ADD COLUMN parent_id bigint NOT NULL;
CREATE INDEX child_parent_id_idx ON fp.child (parent_id);
ALTER TABLE fp.child ADD COLUMN id integer NOT NULL DEFAULT nextval('fp.child_id_seq');
ALTER SEQUENCE fp.child_id_seq OWNED BY fp.child.id;
ALTER TABLE fp.child ADD CONSTRAINT child_pkey PRIMARY KEY (id);
ALTER TABLE fp.child ADD CONSTRAINT child_parent_id_fkey
    FOREIGN KEY (parent_id) REFERENCES fp.parent (id) ON DELETE CASCADE;
GRANT DELETE ON fp.child TO regress_fp_role;
REVOKE DELETE ON fp.child FROM regress_fp_role;
CREATE MATERIALIZED VIEW fp.child_counts AS
    SELECT parent_id, count(*) AS n FROM fp.child GROUP BY parent_id;
CREATE TABLE fp.events_rest (at date NOT NULL, id integer NOT NULL);
CREATE TABLE fp.events (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
ALTER TABLE fp.events ATTACH PARTITION fp.events_rest DEFAULT;
CREATE TABLE fp.events_2024 PARTITION OF fp.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX events_at_idx ON fp.events (at);
ALTER TABLE fp.events ADD COLUMN ratio float8 DEFAULT 0.1,
                      ADD COLUMN ttl interval DEFAULT 'P1DT2H',
                      ADD COLUMN seen timestamptz DEFAULT '2024-06-01 14:00:00+02';
CREATE FOREIGN TABLE fp.remote (a integer OPTIONS (column_name 'x'))
    SERVER regress_fp_server OPTIONS (schema_name 's', table_name 'r');
CREATE VIEW fp.parent_names AS SELECT id, name FROM fp.parent WHERE qty > 1;
ALTER VIEW fp.parent_names SET (security_barrier = true);
GRANT SELECT ON fp.parent_names TO regress_fp_role;
CREATE SEQUENCE fp.counter AS bigint INCREMENT BY 5 MINVALUE 0 START 10 CACHE 2 CYCLE;
GRANT USAGE ON TYPE fp.mood TO regress_fp_role;
GRANT USAGE ON SCHEMA fp TO regress_fp_role;
COMMENT ON CONSTRAINT child_parent_id_fkey ON fp.child IS 'children go with their parent';
COMMENT ON FUNCTION fp.add(integer, integer) IS 'adds';
COMMENT ON INDEX fp.child_parent_id_idx IS 'for the foreign key';
COMMENT ON COLUMN fp.parent.name IS 'its name';
COMMENT ON COLUMN fp.pair.x IS 'first';
COMMENT ON TABLE fp.parent IS 'the parent';
COMMENT ON TYPE fp.mood IS 'how it feels';
COMMENT ON SCHEMA fp IS 'fingerprint test schema';
CREATE TABLE fp."Odd ""Name""" ("a\b" text, "Col.1" integer);
COMMENT ON COLUMN fp."Odd ""Name"""."a\b" IS E'two\nlines, "quoted", back\\slash';
RESET ROLE;

-- Equal: no object differs, and the hashes agree.
SELECT * FROM pg_temp.fp_diff(:'first_fp', migrate_schema_fingerprint(ARRAY['fp']));
SELECT migrate_schema_hash(ARRAY['fp']) = :'first_hash' AS same_hash;
-- The caller's settings do not change how values and names are printed.
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET TimeZone = 'Asia/Tokyo';
SET extra_float_digits = 3;
SET quote_all_identifiers = on;
SET search_path = fp, public;
SELECT migrate_schema_hash(ARRAY['fp']) = :'first_hash' AS same_hash_other_settings;
RESET DateStyle;
RESET IntervalStyle;
RESET TimeZone;
RESET extra_float_digits;
RESET quote_all_identifiers;
RESET search_path;

------------------------------------------------------------------------------------------
-- One small change at a time: each changes the hash, and the object's entry shows how.
SELECT changed FROM pg_temp.fp_step('schema');
\x on
-- A column's type, collation, default, nullability, comment, grant.
ALTER TABLE fp.app_log ALTER COLUMN level TYPE bigint;
SELECT * FROM pg_temp.fp_step('column', 'fp.app_log.level');
ALTER TABLE fp.child ALTER COLUMN note TYPE text COLLATE "POSIX";
SELECT * FROM pg_temp.fp_step('column', 'fp.child.note');
ALTER TABLE fp.child ALTER COLUMN note SET DEFAULT 'n/a';
SELECT * FROM pg_temp.fp_step('column', 'fp.child.note');
ALTER TABLE fp.child ALTER COLUMN note SET NOT NULL;
SELECT * FROM pg_temp.fp_step('column', 'fp.child.note');
COMMENT ON COLUMN fp.child.note IS 'a note';
SELECT * FROM pg_temp.fp_step('column', 'fp.child.note');
GRANT INSERT (note) ON fp.child TO regress_fp_role;
SELECT * FROM pg_temp.fp_step('column', 'fp.child.note');
-- A column added, then dropped again: back to the same hash (column order and dropped
-- columns are not part of the fingerprint).
SELECT hash AS before_add FROM fp_last \gset
ALTER TABLE fp.child ADD COLUMN extra integer;
SELECT * FROM pg_temp.fp_step('column', 'fp.child.extra');
ALTER TABLE fp.child DROP COLUMN extra;
SELECT * FROM pg_temp.fp_step('column', 'fp.child.extra');
SELECT hash = :'before_add' AS same_as_before_add FROM fp_last;
-- A table's options, row security, persistence.
ALTER TABLE fp.child SET (fillfactor = 70);
SELECT * FROM pg_temp.fp_step('table', 'fp.child');
ALTER TABLE fp.child FORCE ROW LEVEL SECURITY;
SELECT * FROM pg_temp.fp_step('table', 'fp.child');
ALTER TABLE fp.scratch SET LOGGED;
SELECT * FROM pg_temp.fp_step('table', 'fp.scratch');
-- A partition detached.
ALTER TABLE fp.events DETACH PARTITION fp.events_2024;
SELECT * FROM pg_temp.fp_step('table', 'fp.events_2024');
-- A constraint added NOT VALID, then validated.
ALTER TABLE fp.child ADD CONSTRAINT child_note_short CHECK (length(note) < 100) NOT VALID;
SELECT * FROM pg_temp.fp_step('constraint', 'fp.child.child_note_short');
ALTER TABLE fp.child VALIDATE CONSTRAINT child_note_short;
SELECT * FROM pg_temp.fp_step('constraint', 'fp.child.child_note_short');
-- A domain's constraint and default.
ALTER DOMAIN fp.posint DROP CONSTRAINT posint_positive;
ALTER DOMAIN fp.posint ADD CONSTRAINT posint_positive CHECK (VALUE >= 0);
SELECT * FROM pg_temp.fp_step('constraint', 'fp.posint.posint_positive');
ALTER DOMAIN fp.posint SET DEFAULT 2;
SELECT * FROM pg_temp.fp_step('type', 'fp.posint');
-- An index's definition.
DROP INDEX fp.parent_lower_name;
CREATE INDEX parent_lower_name ON fp.parent (lower(name)) WHERE qty > 20;
SELECT * FROM pg_temp.fp_step('index', 'fp.parent_lower_name');
-- An invalid index, left by a failed CREATE INDEX CONCURRENTLY.
INSERT INTO fp.scratch VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY scratch_a_key ON fp.scratch (a);
SELECT * FROM pg_temp.fp_step('index', 'fp.scratch_a_key');
DROP INDEX fp.scratch_a_key;
SELECT changed FROM pg_temp.fp_step('index');
-- A sequence's increment; its value is not part of the fingerprint.
ALTER SEQUENCE fp.counter INCREMENT BY 10;
SELECT * FROM pg_temp.fp_step('sequence', 'fp.counter');
SELECT nextval('fp.counter') AS value;
SELECT changed FROM pg_temp.fp_step('sequence');
-- A view's body.
CREATE OR REPLACE VIEW fp.parent_names WITH (security_barrier) AS
    SELECT id, name FROM fp.parent WHERE qty > 2;
SELECT * FROM pg_temp.fp_step('view', 'fp.parent_names');
-- A function's body, and its grants.
CREATE OR REPLACE FUNCTION fp.add(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT b + a';
SELECT * FROM pg_temp.fp_step('function', 'fp.add(integer,integer)');
GRANT EXECUTE ON FUNCTION fp.add(integer, integer) TO PUBLIC;
SELECT * FROM pg_temp.fp_step('function', 'fp.add(integer,integer)', 'acl');
-- An aggregate's initial value.
DROP AGGREGATE fp.total(integer);
CREATE AGGREGATE fp.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '1');
SELECT * FROM pg_temp.fp_step('aggregate', 'fp.total(integer)');
-- A trigger's events, then disabled.
DROP TRIGGER child_touch ON fp.child;
CREATE TRIGGER child_touch BEFORE INSERT OR UPDATE ON fp.child
    FOR EACH ROW EXECUTE FUNCTION fp.touch();
SELECT * FROM pg_temp.fp_step('trigger', 'fp.child.child_touch');
ALTER TABLE fp.child DISABLE TRIGGER child_touch;
SELECT * FROM pg_temp.fp_step('trigger', 'fp.child.child_touch');
-- A policy's roles and expression.
ALTER POLICY parent_visible ON fp.parent TO regress_fp_role, regress_fp_owner USING (qty > 5);
SELECT * FROM pg_temp.fp_step('policy', 'fp.parent.parent_visible');
-- A rule, an extended statistics object.
ALTER TABLE fp.scratch DISABLE RULE scratch_quiet;
SELECT * FROM pg_temp.fp_step('rule', 'fp.scratch.scratch_quiet');
ALTER STATISTICS fp.parent_stats SET STATISTICS 50;
SELECT * FROM pg_temp.fp_step('statistics', 'fp.parent_stats');
-- An enum value, a composite type's attribute.
ALTER TYPE fp.mood ADD VALUE 'angry' AFTER 'sad';
SELECT * FROM pg_temp.fp_step('type', 'fp.mood');
ALTER TYPE fp.pair ADD ATTRIBUTE z date;
SELECT * FROM pg_temp.fp_step('column', 'fp.pair.z');
-- Comments.
COMMENT ON TABLE fp.parent IS 'the parents';
SELECT * FROM pg_temp.fp_step('table', 'fp.parent', 'comment');
COMMENT ON SCHEMA fp IS NULL;
SELECT * FROM pg_temp.fp_step('schema', 'fp');
-- Grants: given and taken back, the hash returns to what it was.
SELECT hash AS before_grant FROM fp_last \gset
GRANT INSERT ON fp.parent TO regress_fp_role;
SELECT * FROM pg_temp.fp_step('table', 'fp.parent', 'acl');
REVOKE INSERT ON fp.parent FROM regress_fp_role;
SELECT * FROM pg_temp.fp_step('table', 'fp.parent', 'acl');
SELECT hash = :'before_grant' AS same_as_before_grant FROM fp_last;
-- Revoking every privilege, the owner's too, is not the default: an empty ACL.
REVOKE ALL ON fp.scratch FROM regress_fp_owner;
SELECT * FROM pg_temp.fp_step('table', 'fp.scratch', 'acl');
\x off

------------------------------------------------------------------------------------------
-- Every user schema (NULL): the extension's own schema, tables and functions, other
-- extensions' members and temporary objects are left out; user schemas are in.
CREATE TEMP TABLE fp_temp_table (a integer);
SELECT migrate_schema_fingerprint() AS all_fp \gset
SELECT :'all_fp'::jsonb -> 'schema' ? 'fp' AS fp_schema,
       :'all_fp'::jsonb -> 'schema' ? 'regress' AS regress_schema,
       :'all_fp'::jsonb -> 'schema' ? 'migrations_schema' AS tracking_schema,
       :'all_fp'::jsonb -> 'extension' ? 'migrations_schema' AS this_extension,
       :'all_fp'::jsonb -> 'extension' -> 'citext' AS citext,
       :'all_fp'::jsonb -> 'extension' -> 'pgcrypto' AS pgcrypto;
-- No object of the extension, of pgcrypto (in schema regress) or of a temporary schema.
SELECT k.kind, o.ident
FROM jsonb_object_keys(:'all_fp'::jsonb) k(kind),
     jsonb_object_keys(:'all_fp'::jsonb -> k.kind) o(ident)
WHERE o.ident LIKE 'migrations\_schema.%' OR o.ident LIKE '%migrate\_%'
   OR o.ident LIKE 'pg\_%' OR o.ident LIKE '%fp\_temp\_table%'
   OR o.ident LIKE 'regress.digest%' OR o.ident LIKE 'regress.crypt%';
-- The regress helpers are user objects: they are in.
SELECT :'all_fp'::jsonb -> 'function' ? 'regress.snapshot()' AS regress_snapshot;
-- Naming every user schema gives what NULL gives, but for the extensions installed in
-- other schemas (plpgsql in pg_catalog).
SELECT migrate_schema_fingerprint(array_agg(nspname::text)) - 'extension'
       = :'all_fp'::jsonb - 'extension' AS same_as_null
FROM pg_namespace
WHERE (:'all_fp'::jsonb -> 'schema') ? nspname;
-- A temporary table does not change the hash.
SELECT migrate_schema_hash() AS with_temp \gset
DROP TABLE fp_temp_table;
SELECT migrate_schema_hash() = :'with_temp' AS temp_table_not_seen;
-- An empty list: nothing.
SELECT migrate_schema_fingerprint(ARRAY[]::text[]) AS empty;

------------------------------------------------------------------------------------------
-- Bad schema lists.
SELECT regress.try($$SELECT migrate_schema_fingerprint(ARRAY['fp', NULL])$$);
SELECT regress.try($$SELECT migrate_schema_hash(ARRAY[NULL]::text[])$$);
SELECT regress.try($$SELECT migrate_schema_fingerprint(ARRAY['fp', 'no_such_schema'])$$);
SELECT regress.try($$SELECT migrate_schema_hash(ARRAY['FP'])$$);
SELECT regress.try($$SELECT migrate_schema_fingerprint(ARRAY['pg_catalog'])$$);
SELECT regress.try($$SELECT migrate_schema_hash(ARRAY['migrations_schema'])$$);
SELECT regress.try($$SELECT migrate_schema_hash(ARRAY['information_schema'])$$);
-- The same errors in full.
SELECT migrate_schema_fingerprint(ARRAY['fp', NULL]);
SELECT migrate_schema_hash(ARRAY['no_such_schema']);
SELECT migrate_schema_hash(ARRAY['migrations_schema']);

SET client_min_messages = warning;
DROP SCHEMA fp CASCADE;
RESET client_min_messages;
DROP SERVER regress_fp_server;
DROP FOREIGN DATA WRAPPER regress_fp_fdw;
DROP ROLE regress_fp_role;
DROP ROLE regress_fp_owner;
DROP EXTENSION migrations_schema CASCADE;
