-- Text from migration files is validated before anything is stored: bytes the database
-- encoding does not allow and NUL bytes are refused naming file (or migration) and line, and
-- nothing of the folder is registered; a leading UTF-8 byte order mark is dropped.
CALL regress.reset();
\getenv abs_srcdir PG_ABS_SRCDIR
\set fixtures :abs_srcdir '/test/fixtures'

SELECT regress.try(format('SELECT migrate_load_dir(%L, %L)', :'fixtures' || '/bad_encoding', 'enc'));
SELECT regress.try(format('SELECT migrate_load_dir(%L, %L)', :'fixtures' || '/bad_nul', 'nul'));
-- The same, with the file and line.
SELECT migrate_load_dir(:'fixtures' || '/bad_encoding', 'enc');
SELECT migrate_load_dir(:'fixtures' || '/bad_nul', 'nul');
SELECT count(*) AS registered FROM migrations_schema.migration WHERE project IN ('enc', 'nul');
SELECT count(*) AS history FROM migrations_schema.history WHERE project IN ('enc', 'nul');

-- A byte order mark from a Windows editor: gone before the parser or the checksum sees it.
SELECT migrate_load_dir(:'fixtures' || '/bom', 'bom');
SELECT left(up_sql, 6) AS starts_with, left(down_sql, 4) AS down_starts_with
FROM migrations_schema.migration WHERE project = 'bom';
SELECT checksum = encode(sha256(convert_to(E'CREATE TABLE bom_t (id int);\n', 'UTF8') ||
                                '\x00646f776e00'::bytea ||
                                convert_to(E'DROP TABLE bom_t;\n', 'UTF8')), 'hex')
       AS checksum_of_text_without_bom
FROM migrate_status('bom');
SELECT version, action FROM migrate_apply(project => 'bom');
SELECT to_regclass('bom_t') IS NOT NULL AS applied;
SELECT version, action FROM migrate_rollback(project => 'bom');
SELECT to_regclass('bom_t') IS NULL AS rolled_back;
