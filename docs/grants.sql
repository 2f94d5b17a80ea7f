-- The grants each kind of role needs for its daily work (docs/security.md explains them;
-- test/t/016_roles.pl runs every workflow below as a role holding exactly these).

-- deployer (CI/CD, an application's start-up): pg_migrate push [--prune], run, apply,
-- apply --dry-run, rollback [--dry-run], undo, status, validate, history, verify, drift
GRANT EXECUTE ON FUNCTION
    migrate_register(text, text, text, text, text, text),
    migrate_prune(text[], text),
    migrate_unregister(text, text),
    migrate_apply(text, boolean, text, boolean),
    migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean),
    migrate_rollback_plan(text, integer, boolean, text, text, boolean),
    migrate_status(text), migrate_validate(text), migrate_history(text),
    migrate_verify(text), migrate_drift(text)
    TO deployer;
GRANT EXECUTE ON PROCEDURE
    migrate_run(text, text, boolean),
    migrate_run_rollback(text, integer, boolean, text, text, boolean, boolean)
    TO deployer;
-- ... and its repairs, when the same role looks after the registry: pg_migrate repair
-- (accept edited scripts, clear a failure), baseline (adopt an existing database), import
-- (take over another tool's records; it also needs SELECT on that tool's table)
GRANT EXECUTE ON FUNCTION
    migrate_repair(text), migrate_baseline(text, text), migrate_import(text, text, text)
    TO deployer;

-- reviewer (CI checks of a change): pg_migrate lint, test, validate, status,
-- apply --dry-run and rollback --dry-run of a folder, registered in a transaction that is
-- rolled back
GRANT EXECUTE ON FUNCTION
    migrate_register(text, text, text, text, text, text),
    migrate_lint(text), migrate_lint_pending(text), migrate_test(text, text),
    migrate_apply(text, boolean, text, boolean),
    migrate_rollback(text, integer, boolean, boolean, text, text, boolean, boolean),
    migrate_status(text), migrate_validate(text)
    TO reviewer;

-- generator: pg_migrate generate NAME --desired DSN, in the target database and in the
-- desired one
GRANT EXECUTE ON FUNCTION
    migrate_schema_description(text[]),
    migrate_generate(jsonb, text[], boolean, text[], text)
    TO generator;

-- reader (dashboards, on-call): pg_migrate status, history, drift, validate, fingerprint,
-- hash, and the migration_history view
GRANT EXECUTE ON FUNCTION
    migrate_status(text), migrate_history(text), migrate_drift(text), migrate_validate(text),
    migrate_schema_fingerprint(text[]), migrate_schema_hash(text[])
    TO reader;
GRANT SELECT ON migration_history TO reader;
