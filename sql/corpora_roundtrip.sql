-- migrate_test() over real projects' migrations (../shared/corpora): every up script, its
-- down script, and the up script again, compared by schema fingerprint, in a transaction
-- that is rolled back. Skipped, saying why, when the corpora are not beside this checkout
-- (expected/corpora_roundtrip_1.out).
CALL regress.reset();
\getenv abs_srcdir PG_ABS_SRCDIR
\set corpora :abs_srcdir '/../shared/corpora'
\set have_corpora `test -d "$PG_ABS_SRCDIR/../shared/corpora/authelia" && test -d "$PG_ABS_SRCDIR/../shared/corpora/ente" && echo true || echo false`
\if :have_corpora
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS authelia, ente CASCADE;
CREATE SCHEMA authelia;
CREATE SCHEMA ente;
SELECT public.migrate_schema_hash() AS hash_before \gset

SET search_path = authelia;
SELECT public.migrate_load_dir(:'corpora' || '/authelia', 'authelia');
CREATE TEMP TABLE authelia_test AS SELECT * FROM public.migrate_test('authelia');
-- authelia (26 migrations): 21 round trips are exact. The others, read from the scripts:
--  0002: its down script renames the new tables away and recreates the old ones, whose
--        unique index name (totp_configurations_username_key) the up script's new table
--        still holds: the down fails as written.
--  0003: the down script only drops the backup table the up script made; the new
--        webauthn_devices stays, its serial sequence named webauthn_devices_id_seq1 where
--        the table before had webauthn_devices_id_seq; up again swaps the names back.
--  0007: "ConsistencyFixes" drops the _bkp_ tables of 0002 and renames constraints; the
--        down script cannot bring dropped tables back, and recreates constraints under
--        names with a "1" suffix.
--  0011: the up script widens oauth2_access_token_session.signature to varchar(768); the
--        down script is empty, so the width stays.
--  0012: the down script recreates webauthn_devices with a primary key the table did not
--        have before 0012, and its serial sequence is named webauthn_devices_id_seq, not
--        _seq1 as before.
SELECT version, reversible, detail FROM authelia_test ORDER BY version;
SELECT version, d->>'step' AS step, d->>'change' AS change, d->>'kind' AS kind,
       d->>'object' AS object, d->>'detail' AS detail
FROM authelia_test, jsonb_array_elements(differences) d
ORDER BY version, step, kind, object;

SET search_path = ente;
SELECT public.migrate_load_dir(:'corpora' || '/ente', 'ente');
CREATE TEMP TABLE ente_test AS SELECT * FROM public.migrate_test('ente');
-- ente (124 migrations): 96 round trips are exact; all 124 up scripts run. The others:
--  * Enum values cannot be removed (PostgreSQL has no ALTER TYPE ... DROP VALUE), so down
--    scripts after ADD VALUE leave the value: 46, 47, 57, 68, 74, 81, 86, 88, 89, 94; their
--    up scripts then fail on the existing label, except 81 and 88 (ADD VALUE IF NOT EXISTS).
--  * Down scripts that fail as written: 1 and 9 drop tables and types that other objects of
--    the same migration still depend on (no CASCADE, wrong order); 2 and 19 drop indexes
--    under names the up scripts never used; 3 and 44 have syntax errors; 7 drops an index
--    that a constraint owns (it needs DROP CONSTRAINT); 93 drops a function that triggers
--    of earlier migrations still use.
--  * 109's down script uses the enum value its own up script added, which PostgreSQL refuses
--    in the transaction that added it ("unsafe use of new value"): an effect of testing up
--    and down in one transaction; a rollback in a later transaction would not meet it.
--  * Down scripts that restore less or other than the up script changed: 8 re-adds otts.
--    user_id without the foreign key and index it had; 22, 37, 52 and 62 leave the trigger
--    functions their up scripts created; 25 ("do nothing") keeps the bigint columns; 29
--    re-adds users.email with a unique index under another name; 39 and 82 drop tables
--    and have no-op down scripts; 68 and 89 leave enum values, columns and a function.
SELECT reversible, count(*) FROM ente_test GROUP BY reversible ORDER BY 1;
SELECT version, reversible, detail FROM ente_test
WHERE reversible <> 'true' OR detail IS NOT NULL ORDER BY version::int;
-- The objects each lossy down script leaves different (function bodies cut short).
SELECT version, d->>'step' AS step, d->>'change' AS change, d->>'kind' AS kind,
       d->>'object' AS object, left(d->>'detail', 60) AS detail
FROM ente_test, jsonb_array_elements(differences) d
ORDER BY version::int, step, kind, object;
RESET search_path;

-- Nothing of either project was applied, and the schema is what it was.
SELECT count(*) AS applied FROM public.migrate_status() WHERE state <> 'pending';
SELECT public.migrate_schema_hash() = :'hash_before' AS schema_unchanged;
\else
\echo 'skipped: ../shared/corpora (authelia, ente) is not beside this checkout'
\endif
