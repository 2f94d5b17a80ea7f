-- Scripts larger than migrations_schema.parse_chunk_size are parsed a piece at a time, so
-- that their parse trees never all exist at once. Pieces must change nothing else: the
-- same statements, lines, lint findings and errors as a parse of the whole script.
CALL regress.reset();
SET client_min_messages = warning;
\getenv abs_srcdir PG_ABS_SRCDIR
\set corpora :abs_srcdir '/../shared/corpora'
\set have_corpora `test -d "$PG_ABS_SRCDIR/../shared/corpora/authelia" && test -d "$PG_ABS_SRCDIR/../shared/corpora/ente" && echo true || echo false`

-- A script of 1,000 lines that cuts may not split wrongly: BEGIN ATOMIC bodies, CASE,
-- plpgsql bodies and DO blocks, semicolons in strings, comments and identifiers, BEGIN and
-- COMMIT as statements of their own.
CREATE FUNCTION pg_temp.big_script(failing_at int DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
SELECT string_agg(CASE g % 6
    WHEN 0 THEN format('CREATE TABLE app.p_%s (id int, "semi;colon" text DEFAULT %L);', g, 'a;b')
    WHEN 1 THEN format(E'CREATE FUNCTION app.f_%s(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN x ELSE 0 END;\n  SELECT x + %s;\nEND;', g, g)
    WHEN 2 THEN format(E'-- a comment; with a semicolon\nCOMMENT ON TABLE app.p_%s IS %L;', g - 2, 'note; ' || g)
    WHEN 3 THEN format(E'DO $body$ BEGIN\n  PERFORM 1; PERFORM %s;\nEND $body$;', g)
    WHEN 4 THEN format(E'CREATE FUNCTION app.g_%s() RETURNS int LANGUAGE plpgsql AS $f$\nBEGIN\n  RETURN CASE WHEN true THEN 1 ELSE 2 END;\nEND $f$;', g)
    ELSE CASE WHEN g = failing_at THEN 'SELECT 1 / 0;'
              WHEN g % 12 = 11 THEN format('CREATE INDEX ON app.existing (id); -- %s', g)
              ELSE format('/* %s; */ SELECT %s;', g, g) END
  END, E'\n' ORDER BY g)
FROM generate_series(0, 199) g
$$;
-- A table from before: the lint has findings about its indexes.
CREATE TABLE app.existing (id int);
SELECT octet_length(pg_temp.big_script()) > 8192 AS several_pieces,
       length(pg_temp.big_script()) - length(replace(pg_temp.big_script(), E'\n', '')) AS newlines;

-- The plan: statements per migration, parsed whole and in pieces.
SELECT migrate_register('1', 'big', pg_temp.big_script());
SET migrations_schema.parse_chunk_size = 0;
SELECT version, statements FROM migrate_apply(dry_run => true);
CREATE TEMP TABLE lint_whole AS SELECT * FROM migrate_lint(pg_temp.big_script());
SET migrations_schema.parse_chunk_size = '1kB';
SELECT version, statements FROM migrate_apply(dry_run => true);
CREATE TEMP TABLE lint_pieces AS SELECT * FROM migrate_lint(pg_temp.big_script());
SELECT (SELECT count(*) FROM lint_whole) AS findings,
       (SELECT count(*) FROM (TABLE lint_whole EXCEPT ALL TABLE lint_pieces) a) +
       (SELECT count(*) FROM (TABLE lint_pieces EXCEPT ALL TABLE lint_whole) b) AS differences;

-- Applied in pieces, everything ran.
SELECT version, statements FROM migrate_apply();
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'app';
SELECT count(*) AS indexes FROM pg_indexes WHERE tablename = 'existing';
SELECT app.f_199(2) AS atomic_body, app.g_4() AS plpgsql_body;

-- A statement failing in a later piece is named by the same statement and line.
SELECT migrate_register('2', 'fails late', E'CREATE SCHEMA app2;\n' ||
    replace(replace(pg_temp.big_script(179), 'app.', 'app2.'), 'app2.existing', 'app.existing'));
SET migrations_schema.parse_chunk_size = 0;
SELECT * FROM migrate_apply();
SET migrations_schema.parse_chunk_size = '1kB';
SELECT * FROM migrate_apply();
SELECT version, state FROM migrate_status() ORDER BY version;
SELECT count(*) AS nothing_half_applied FROM pg_tables WHERE schemaname = 'app2';

-- A syntax error in a later piece: the same error, line and statement as for the whole.
SELECT migrate_register('3', 'broken late', pg_temp.big_script() || E'\nSELEC 1;');
SELECT * FROM migrate_apply(target => '3', dry_run => true);
SELECT count(*) AS findings FROM migrate_lint(pg_temp.big_script() || E'\nSELEC 1;')
WHERE rule = 'syntax-error';
SELECT statement, line, rule FROM migrate_lint(pg_temp.big_script() || E'\nSELEC 1;')
WHERE rule = 'syntax-error';
SET migrations_schema.parse_chunk_size = 0;
SELECT * FROM migrate_apply(target => '3', dry_run => true);
SELECT statement, line, rule FROM migrate_lint(pg_temp.big_script() || E'\nSELEC 1;')
WHERE rule = 'syntax-error';

-- The same failure in pieces, for a role holding only EXECUTE: it ends the call as itself,
-- with its own settings, and nothing of the migration stays.
SELECT migrate_unregister('2'), migrate_unregister('3');
CREATE ROLE regress_pieces_runner;
CREATE SCHEMA app3 AUTHORIZATION regress_pieces_runner;
GRANT EXECUTE ON FUNCTION migrate_apply(text, boolean, text, boolean) TO regress_pieces_runner;
SELECT migrate_register('4', 'fails late for a role', replace(pg_temp.big_script(179), 'app.', 'app3.'));
SET migrations_schema.parse_chunk_size = '1kB';
SET ROLE regress_pieces_runner;
CREATE TABLE app3.existing (id int);
SET search_path = app3, public;
SELECT * FROM migrate_apply();
SELECT current_user, current_setting('search_path') AS search_path;
RESET ROLE;
RESET search_path;
SELECT version, state FROM migrate_status() ORDER BY version;
SELECT string_agg(tablename, ',') AS tables_left FROM pg_tables WHERE schemaname = 'app3';
DROP SCHEMA app3 CASCADE;
REVOKE ALL ON FUNCTION migrate_apply(text, boolean, text, boolean) FROM regress_pieces_runner;
DROP ROLE regress_pieces_runner;

-- Every up and down script of the real corpora: the same lint findings in pieces of 1 kB.
\if :have_corpora
CREATE TEMP TABLE corpus_scripts AS
SELECT d || '/' || f AS file, pg_read_file(:'corpora' || '/' || d || '/' || f) AS sql
FROM unnest(ARRAY['authelia', 'ente']) d, pg_ls_dir(:'corpora' || '/' || d) f
WHERE f LIKE '%.sql';
SELECT count(*) > 100 AS many_scripts, count(*) FILTER (WHERE octet_length(sql) > 1024) > 20
    AS many_in_pieces
FROM corpus_scripts;
SET migrations_schema.parse_chunk_size = 0;
CREATE TEMP TABLE corpus_whole AS SELECT s.file, l.* FROM corpus_scripts s, migrate_lint(s.sql) l;
SET migrations_schema.parse_chunk_size = '1kB';
CREATE TEMP TABLE corpus_pieces AS SELECT s.file, l.* FROM corpus_scripts s, migrate_lint(s.sql) l;
SELECT (SELECT count(*) > 10 FROM corpus_whole) AS many_findings,
       (SELECT count(*) FROM (TABLE corpus_whole EXCEPT ALL TABLE corpus_pieces) a) +
       (SELECT count(*) FROM (TABLE corpus_pieces EXCEPT ALL TABLE corpus_whole) b) AS differences;
\else
SELECT true AS many_scripts, true AS many_in_pieces;
SELECT true AS many_findings, 0 AS differences;
\endif

-- The setting is the superuser's: a deploy role cannot switch it.
CREATE ROLE regress_pieces_deploy;
SET ROLE regress_pieces_deploy;
\set VERBOSITY terse
SET migrations_schema.parse_chunk_size = 0;
\set VERBOSITY default
RESET ROLE;
DROP ROLE regress_pieces_deploy;
RESET migrations_schema.parse_chunk_size;
RESET client_min_messages;
