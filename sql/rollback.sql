-- migrate_rollback: steps, target, everything, dry run, and refusals that change nothing.
CALL regress.reset();
SET search_path = app, public;
SELECT migrate_register('1', 'a', 'CREATE TABLE r1 (id int);', 'DROP TABLE r1;');
SELECT migrate_register('2', 'b', 'CREATE TABLE r2 (id int);', 'DROP TABLE r2;');
SELECT migrate_register('3', 'c', 'CREATE TABLE r3 (id int);', 'DROP TABLE r3;');
SELECT migrate_register('4', 'd', 'CREATE TABLE r4 (id int);', 'DROP TABLE r4;');
SELECT migrate_register('5', 'e', 'CREATE TABLE r5 (id int);', 'DROP TABLE r5;');
SELECT version FROM migrate_apply();

-- The default is one step, the newest first.
SELECT version, name, action, statements FROM migrate_rollback();
SELECT version, state FROM migrate_status();
-- A dry run runs the down scripts and keeps nothing.
SELECT regress.snapshot() AS before \gset
SELECT version, action FROM migrate_rollback(steps => 3, dry_run => true);
SELECT regress.snapshot() = :'before' AS dry_run_left_nothing;
-- A target is the version the database ends at: it stays applied.
SELECT version, action FROM migrate_rollback(target => '2');
SELECT version, state FROM migrate_status();
SELECT to_regclass('app.r2') AS r2, to_regclass('app.r3') AS r3;
-- More steps than applied migrations rolls back what there is.
SELECT version FROM migrate_rollback(steps => 10);
-- Nothing applied: nothing to do.
SELECT * FROM migrate_rollback(everything => true);
SELECT version FROM migrate_apply();
SELECT version FROM migrate_rollback(everything => true);
SELECT count(*) AS tables_left FROM pg_tables WHERE schemaname = 'app';

-- A migration without a down script in range: refused, naming it, nothing changed.
SELECT migrate_register('6', 'f', 'CREATE TABLE r6 (id int);');
SELECT migrate_register('7', 'g', 'CREATE TABLE r7 (id int);', 'DROP TABLE r7;');
SELECT version FROM migrate_apply();
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_rollback(target => '4');
SELECT regress.snapshot() = :'before' AS refused_without_change;
-- Rolling back above it is fine.
SELECT version FROM migrate_rollback(target => '6');

-- A down script that fails leaves everything applied.
SELECT migrate_register('7', 'g', 'CREATE TABLE r7 (id int);', E'DROP TABLE r7;\nDROP TABLE no_such_table;');
SELECT version FROM migrate_apply();
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_rollback();
SELECT regress.snapshot() = :'before' AS failed_rollback_changed_nothing;

-- A modified migration is not rolled back with a down script written for other content.
SELECT migrate_register('7', 'g', 'CREATE TABLE r7 (id bigint);', 'DROP TABLE r7;');
SELECT * FROM migrate_rollback();

-- Bad arguments.
SELECT * FROM migrate_rollback(steps => 0);
SELECT * FROM migrate_rollback(steps => -1);
SELECT * FROM migrate_rollback(steps => NULL);
SELECT * FROM migrate_rollback(target => '99');
SELECT * FROM migrate_rollback(target => 'x');
SELECT * FROM migrate_rollback(everything => NULL);
SELECT * FROM migrate_rollback(dry_run => NULL);
