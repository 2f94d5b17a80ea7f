-- Real projects' migration folders (../shared/corpora), applied and rolled back.
CALL regress.reset();
\getenv abs_srcdir PG_ABS_SRCDIR
\set corpora :abs_srcdir '/../shared/corpora'
SET client_min_messages = warning;

-- authelia: V0001.Name.up.sql / .down.sql, 26 pairs; one up script is empty (MySQL only).
CREATE SCHEMA authelia;
SET search_path = authelia;
SELECT public.migrate_load_dir(:'corpora' || '/authelia', 'authelia');
SELECT count(*) AS migrations, count(*) FILTER (WHERE reversible) AS reversible
FROM public.migrate_status('authelia');
SELECT count(*) AS applied, sum(statements) AS statements
FROM public.migrate_apply(project => 'authelia');
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'authelia';
SELECT count(*) AS rolled_back FROM public.migrate_rollback(everything => true, project => 'authelia');
SELECT count(*) AS relations_left FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'authelia';
-- And up again: the down scripts really restored a state the ups apply to.
SELECT count(*) AS reapplied FROM public.migrate_apply(project => 'authelia');

-- ente: golang-migrate N_name.up.sql, not zero-padded, several scripts with their own
-- BEGIN ... COMMIT blocks. Up to 44, the last before the first CREATE INDEX CONCURRENTLY.
CREATE SCHEMA ente;
SET search_path = ente;
SELECT public.migrate_load_dir(:'corpora' || '/ente', 'ente');
SELECT version, name FROM public.migrate_status('ente') ORDER BY version::int LIMIT 3;
SELECT count(*) AS applied, sum(statements) AS statements
FROM public.migrate_apply(target => '44', project => 'ente');
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'ente';
SELECT state, count(*) FROM public.migrate_status('ente') GROUP BY state ORDER BY state;
-- Migration 45 builds an index CONCURRENTLY, which cannot run inside a function.
\set VERBOSITY terse
SELECT count(*) FROM public.migrate_apply(target => '45', project => 'ente');
\set VERBOSITY default
SELECT count(*) AS still_applied FROM public.migrate_status('ente') WHERE state = 'applied';
RESET search_path;
