-- Real projects' migration folders (../shared/corpora): load, apply all, roll all back,
-- apply again, and validate. Where a real script cannot run here, or its down script is
-- broken, the test asserts the error we give. Skipped, saying why, when the corpora are
-- not beside this checkout (expected/corpora_1.out).
CALL regress.reset();
\getenv abs_srcdir PG_ABS_SRCDIR
\set corpora :abs_srcdir '/../shared/corpora'
\set have_corpora `test -d "$PG_ABS_SRCDIR/../shared/corpora/authelia" && test -d "$PG_ABS_SRCDIR/../shared/corpora/ente" && echo true || echo false`
\if :have_corpora
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
SELECT * FROM public.migrate_validate('authelia');

-- ente: golang-migrate N_name.up.sql, not zero-padded, several scripts with their own
-- BEGIN ... COMMIT blocks, down scripts named differently from their ups.
CREATE SCHEMA ente;
-- Made here by hand, so drift until it is taken in.
SELECT count(*) FROM public.migrate_accept_drift(ARRAY['schema ente']);
SET search_path = ente;
SELECT public.migrate_load_dir(:'corpora' || '/ente', 'ente');
SELECT version, name FROM public.migrate_status('ente') ORDER BY version::int LIMIT 3;
-- migrate_apply stops at 45, which builds an index CONCURRENTLY: that cannot run in the
-- caller's transaction, and nothing is applied.
\set VERBOSITY terse
SELECT count(*) FROM public.migrate_apply(project => 'ente');
\set VERBOSITY default
SELECT count(*) AS applied FROM public.migrate_status('ente') WHERE state <> 'pending';
-- CALL migrate_run applies all 124, the CONCURRENTLY ones at top level.
CALL public.migrate_run(project => 'ente');
SELECT state, count(*) FROM public.migrate_status('ente') GROUP BY state;
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'ente';
SELECT count(*) AS invalid_indexes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ente' AND NOT i.indisvalid;
SELECT * FROM public.migrate_validate('ente');
-- Rolling everything back is refused before anything runs: the down script of 123 drops an
-- index CONCURRENTLY, which cannot run in one transaction (and 44's is broken upstream).
SELECT count(*) FROM public.migrate_rollback(everything => true, project => 'ente');
SELECT count(*) AS still_applied FROM public.migrate_status('ente') WHERE state = 'applied';
-- What can be rolled back is, and applies again.
SELECT version, name FROM public.migrate_rollback(target => '123', project => 'ente');
CALL public.migrate_run(project => 'ente');
SELECT state, count(*) FROM public.migrate_status('ente') GROUP BY state;
SELECT * FROM public.migrate_validate('ente');
RESET search_path;
\else
\echo 'skipped: ../shared/corpora (authelia, ente) is not beside this checkout'
\endif
