-- The linter measured against two public references on locks, table rewrites and
-- transactions: the test cases of squawk's rules (sbdchd/squawk,
-- crates/squawk_linter/src/rules/*.rs) and the dangerous operations strong_migrations lists
-- in its README (ankane/strong_migrations), with the safe alternatives each gives. Every case
-- is written here anew, against tables that exist and hold rows as they would in
-- production. A bad case is caught when the rule named with it fires; an ok case holds when
-- that rule stays silent. Each case's findings are listed in full, then the figures.
--
-- Left out, and why:
-- - squawk cases about PostgreSQL 10 and 11 only (SET NOT NULL with a validated CHECK,
--   ADD COLUMN ... DEFAULT before 11), and prefer-repack's "no REPACK before 19" cases: this
--   is PostgreSQL 15;
-- - squawk's assume-in-transaction cases for CREATE INDEX CONCURRENTLY: migrate_run runs a
--   top-level statement outside any transaction, so they do not arise;
-- - squawk's statement_timeout-only cases: a time limit, not a lock, a rewrite or a
--   transaction; and its lock-kind tables, which classify statements without findings;
-- - squawk's now(123) default (no such function: the statement fails by itself), and
--   BEGIN; BEGIN; COMMIT and two BEGIN ... COMMIT blocks in one script, "ok" for one of its
--   rules while another flags them, and refused by this runner either way;
-- - strong_migrations' checks about renames, removed columns, json equality, force: and
--   SQL run directly (not locks, rewrites or transactions), MySQL's, and citext (an
--   extension not installed here).
CALL regress.reset();
SET client_min_messages = warning;
CREATE TABLE cov_recipe AS
    SELECT g AS id, g AS edits, ('r' || g)::varchar(100) AS foo, g::bigint AS bar, g AS baz,
           now()::timestamp(3) AS cooked_at, now()::timestamptz(3) AS served_at,
           g::numeric(10, 2) AS price, interval '1 hour'::interval(3) AS took, '10:00'::time(3) AS at,
           '10.0.0.0/8'::cidr AS net, 'x'::text AS note, (g % 100) AS balance,
           (g % 50) AS user_id, 'addr' || (g % 50) AS address, int4range(g, g + 10) AS span
    FROM generate_series(1, 20000) g;
ALTER TABLE cov_recipe ALTER COLUMN note SET NOT NULL;
CREATE TABLE cov_user AS SELECT g AS id, 'addr' || g AS address FROM generate_series(0, 49) g;
ALTER TABLE cov_user ADD PRIMARY KEY (id), ADD UNIQUE (address);
CREATE UNIQUE INDEX cov_recipe_id_idx ON cov_recipe (id);
CREATE INDEX cov_recipe_foo_idx ON cov_recipe (foo);
ALTER TABLE cov_recipe ADD CONSTRAINT cov_bar_not_null CHECK (bar IS NOT NULL) NOT VALID;
CREATE TABLE cov_parted (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE cov_part PARTITION OF cov_parted FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
INSERT INTO cov_parted SELECT g, '2020-06-01' FROM generate_series(1, 1000) g;
CREATE TYPE cov_mood AS ENUM ('sad', 'happy');
CREATE DOMAIN cov_positive AS int;
CREATE SCHEMA cov_s;
CREATE FUNCTION cov_make_doc() RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION cov_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER cov_trigger BEFORE UPDATE ON cov_recipe FOR EACH ROW EXECUTE FUNCTION cov_touch();
ANALYZE cov_recipe, cov_user, cov_parted, cov_part;

CREATE TEMP TABLE cov_case (
    source text NOT NULL, name text NOT NULL, verdict text NOT NULL CHECK (verdict IN ('bad', 'ok')),
    rule text NOT NULL, script text NOT NULL, time_zone text NOT NULL DEFAULT 'Europe/Paris',
    PRIMARY KEY (source, name));

-- squawk: adding-field-with-default (rewrites)
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'default: constant integer', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN portions integer DEFAULT 4;'),
 ('squawk', 'default: set after adding', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN portions integer; ALTER TABLE cov_recipe ALTER COLUMN portions SET DEFAULT 4;'),
 ('squawk', 'default: volatile, with another subcommand', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe SET LOGGED, ADD COLUMN token uuid DEFAULT gen_random_uuid();'),
 ('squawk', 'default: volatile uuid', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN token uuid DEFAULT gen_random_uuid();'),
 ('squawk', 'default: random()', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN lucky boolean DEFAULT random() < 0.5;'),
 ('squawk', 'default: boolean', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN public boolean DEFAULT false;'),
 ('squawk', 'default: empty and literal arrays', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN weights float8[] DEFAULT ARRAY[]::float8[]; ALTER TABLE cov_recipe ADD COLUMN ids bigint[] DEFAULT CAST(ARRAY[] AS bigint[]); ALTER TABLE cov_recipe ADD COLUMN tags text[] DEFAULT ARRAY[''a'', ''b'']::text[];'),
 ('squawk', 'default: now() minus an interval', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN checked_at timestamptz NOT NULL DEFAULT now() - interval ''50 years'';'),
 ('squawk', 'default: string', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN origin text DEFAULT ''unknown'';'),
 ('squawk', 'default: enum label', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN mood cov_mood DEFAULT ''happy'';'),
 ('squawk', 'default: jsonb literal', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN extra jsonb DEFAULT ''{}''::jsonb;'),
 ('squawk', 'default: a function of the schema''s own', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN doc jsonb DEFAULT cov_make_doc();'),
 ('squawk', 'default: now()', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN seen_at timestamptz DEFAULT now();'),
 ('squawk', 'default: current_timestamp', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN seen_at timestamptz DEFAULT current_timestamp;'),
 ('squawk', 'default: constant arithmetic', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN portions integer DEFAULT 3 * 4;'),
 ('squawk', 'generated stored column', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN total numeric GENERATED ALWAYS AS (edits + baz) STORED;');

-- squawk: adding-foreign-key-constraint (locks both tables, scans)
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'foreign key in CREATE TABLE', 'ok', 'constraint-not-valid-missing',
  'BEGIN; CREATE TABLE cov_mail (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int, CONSTRAINT cov_mail_user FOREIGN KEY (user_id) REFERENCES cov_user (id)); COMMIT;'),
 ('squawk', 'REFERENCES in CREATE TABLE', 'ok', 'constraint-not-valid-missing',
  'CREATE TABLE cov_mail (id bigserial, user_id int NOT NULL REFERENCES cov_user (id) ON DELETE CASCADE);'),
 ('squawk', 'foreign key on a table created in the script', 'ok', 'constraint-not-valid-missing',
  'CREATE TABLE cov_mail (id uuid NOT NULL, user_id int NOT NULL); ALTER TABLE cov_mail ADD CONSTRAINT cov_mail_user FOREIGN KEY (user_id) REFERENCES cov_user (id);'),
 ('squawk', 'foreign key on a new table, in a block', 'ok', 'constraint-not-valid-missing',
  'BEGIN; CREATE TABLE cov_mail (id uuid NOT NULL, user_id int NOT NULL); ALTER TABLE cov_mail ADD CONSTRAINT cov_mail_user FOREIGN KEY (user_id) REFERENCES cov_user (id); COMMIT;'),
 ('squawk', 'foreign key NOT VALID, then validated', 'ok', 'constraint-not-valid-missing',
  'BEGIN; ALTER TABLE cov_recipe ADD COLUMN owner_id int; ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (owner_id) REFERENCES cov_user (id) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_owner; COMMIT;'),
 ('squawk', 'foreign key added valid', 'bad', 'constraint-not-valid-missing',
  'BEGIN; ALTER TABLE cov_recipe ADD COLUMN owner_id int; ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (owner_id) REFERENCES cov_user (id); COMMIT;'),
 ('squawk', 'column with REFERENCES', 'bad', 'constraint-not-valid-missing',
  'BEGIN; ALTER TABLE cov_recipe ADD COLUMN owner_id int REFERENCES cov_user (id); COMMIT;');

-- squawk: adding-not-nullable-field (SET NOT NULL scans under ACCESS EXCLUSIVE)
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'SET NOT NULL', 'bad', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ALTER COLUMN foo SET NOT NULL;'),
 ('squawk', 'column NOT NULL with a default, default dropped', 'ok', 'set-not-null-scan',
  'BEGIN; ALTER TABLE cov_recipe ADD COLUMN portions integer DEFAULT 4 NOT NULL; ALTER TABLE cov_recipe ALTER COLUMN portions DROP DEFAULT; COMMIT;'),
 ('squawk', 'column NOT NULL without a default', 'ok', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ADD COLUMN portions integer NOT NULL;'),
 ('squawk', 'column NOT NULL with a default', 'ok', 'set-not-null-scan',
  'BEGIN; ALTER TABLE cov_recipe ADD COLUMN portions integer NOT NULL DEFAULT 4; COMMIT;'),
 ('squawk', 'SET NOT NULL in a block with other work', 'bad', 'set-not-null-scan',
  'BEGIN; ALTER TABLE cov_recipe ALTER COLUMN baz SET NOT NULL; UPDATE cov_user SET address = ''x'' WHERE id = 1; COMMIT;'),
 ('squawk', 'SET NOT NULL after a validated CHECK, two blocks', 'ok', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ADD COLUMN spare bigint; ALTER TABLE cov_recipe ADD CONSTRAINT cov_spare_nn CHECK (spare IS NOT NULL) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_spare_nn; ALTER TABLE cov_recipe ALTER COLUMN spare SET NOT NULL; ALTER TABLE cov_recipe DROP CONSTRAINT cov_spare_nn;'),
 ('squawk', 'SET NOT NULL without a CHECK', 'bad', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ALTER COLUMN bar SET NOT NULL;'),
 ('squawk', 'SET NOT NULL with a CHECK not validated', 'bad', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_baz_nn CHECK (baz IS NOT NULL) NOT VALID; ALTER TABLE cov_recipe ALTER COLUMN baz SET NOT NULL;'),
 ('squawk', 'SET NOT NULL after validating an earlier CHECK', 'ok', 'set-not-null-scan',
  'ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_bar_not_null; ALTER TABLE cov_recipe ALTER COLUMN bar SET NOT NULL; ALTER TABLE cov_recipe DROP CONSTRAINT cov_bar_not_null;'),
 ('squawk', 'SET NOT NULL with a CHECK on another column', 'bad', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_edits_nn CHECK (edits IS NOT NULL) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_edits_nn; ALTER TABLE cov_recipe ALTER COLUMN baz SET NOT NULL;');

-- squawk: adding-serial-primary-key-field, adding-required-field
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'serial PRIMARY KEY column', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD COLUMN pk serial PRIMARY KEY;'),
 ('squawk', 'ADD PRIMARY KEY', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD PRIMARY KEY (id);'),
 ('squawk', 'PRIMARY KEY USING INDEX', 'ok', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_recipe_pk PRIMARY KEY USING INDEX cov_recipe_id_idx;'),
 ('squawk', 'nullable column', 'ok', 'add-column-not-null-no-default',
  'ALTER TABLE cov_recipe ADD COLUMN public boolean;'),
 ('squawk', 'NOT NULL with a default', 'ok', 'add-column-not-null-no-default',
  'ALTER TABLE cov_recipe ADD COLUMN public boolean NOT NULL DEFAULT true;'),
 ('squawk', 'NOT NULL without a default', 'bad', 'add-column-not-null-no-default',
  'ALTER TABLE cov_recipe ADD COLUMN public boolean NOT NULL;'),
 ('squawk', 'generated stored NOT NULL', 'ok', 'add-column-not-null-no-default',
  'ALTER TABLE cov_recipe ADD COLUMN total numeric GENERATED ALWAYS AS (edits + baz) STORED NOT NULL;'),
 ('squawk', 'generated stored', 'ok', 'add-column-not-null-no-default',
  'ALTER TABLE cov_recipe ADD COLUMN total numeric GENERATED ALWAYS AS (edits + baz) STORED;');

-- squawk: ban-alter-domain-with-add-constraint (a scan of every column of the domain, which
-- constraint-not-valid-missing reports), ban-create-domain-with-constraint
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'ALTER DOMAIN ADD CONSTRAINT', 'bad', 'constraint-not-valid-missing',
  'ALTER DOMAIN cov_positive ADD CONSTRAINT cov_above_zero CHECK (VALUE > 0);'),
 ('squawk', 'ALTER DOMAIN, other subcommands', 'ok', 'constraint-not-valid-missing',
  'ALTER DOMAIN cov_positive DROP CONSTRAINT IF EXISTS cov_other; ALTER DOMAIN cov_positive RENAME TO cov_pos; ALTER DOMAIN cov_pos OWNER TO CURRENT_USER; ALTER DOMAIN cov_pos SET SCHEMA cov_s;'),
 ('squawk', 'CREATE DOMAIN with CHECK', 'bad', 'domain-check',
  'CREATE DOMAIN cov_price AS numeric(15, 5) CHECK (VALUE > 0);'),
 ('squawk', 'CREATE DOMAIN with CHECK and NOT NULL', 'bad', 'domain-check',
  'CREATE DOMAIN cov_price AS numeric CHECK (VALUE > 0) NOT NULL;'),
 ('squawk', 'CREATE DOMAIN without constraints', 'ok', 'domain-check',
  'CREATE DOMAIN cov_name AS text; CREATE DOMAIN cov_label AS varchar;');

-- squawk: ban-concurrent-index-creation-in-transaction, require-concurrent-index-*,
-- require-concurrent-partition-detach, require-concurrent-reindex, prefer-repack
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'CONCURRENTLY inside BEGIN ... COMMIT', 'bad', 'concurrently-in-transaction',
  'BEGIN; CREATE INDEX CONCURRENTLY cov_edits_idx ON cov_recipe (edits); COMMIT;'),
 ('squawk', 'CONCURRENTLY on its own', 'ok', 'concurrently-in-transaction',
  'CREATE INDEX CONCURRENTLY cov_edits_idx ON cov_recipe (edits);'),
 ('squawk', 'CREATE INDEX', 'bad', 'index-not-concurrent',
  'CREATE INDEX cov_edits_idx ON cov_recipe (edits);'),
 ('squawk', 'CREATE INDEX CONCURRENTLY', 'ok', 'index-not-concurrent',
  'CREATE INDEX CONCURRENTLY cov_edits_idx ON cov_recipe (edits);'),
 ('squawk', 'index on a table created in the block', 'ok', 'index-not-concurrent',
  'BEGIN; CREATE TABLE cov_new (id serial PRIMARY KEY, tenant int); CREATE INDEX cov_new_tenant ON cov_new (tenant); COMMIT;'),
 ('squawk', 'index on a table created in the script', 'ok', 'index-not-concurrent',
  'CREATE TABLE cov_new (id serial PRIMARY KEY, tenant int); CREATE INDEX cov_new_tenant ON cov_new (tenant);'),
 ('squawk', 'DROP INDEX', 'bad', 'drop-index-not-concurrent',
  'DROP INDEX IF EXISTS cov_recipe_foo_idx;'),
 ('squawk', 'DROP INDEX CONCURRENTLY', 'ok', 'drop-index-not-concurrent',
  'DROP INDEX CONCURRENTLY IF EXISTS cov_recipe_foo_idx;'),
 ('squawk', 'DROP TABLE is no index', 'ok', 'drop-index-not-concurrent',
  'DROP TABLE IF EXISTS cov_nothing;'),
 ('squawk', 'DROP TRIGGER is no index', 'ok', 'drop-index-not-concurrent',
  'DROP TRIGGER IF EXISTS cov_trigger ON cov_recipe;'),
 ('squawk', 'DETACH PARTITION', 'bad', 'detach-partition-not-concurrent',
  'ALTER TABLE cov_parted DETACH PARTITION cov_part;'),
 ('squawk', 'DETACH PARTITION CONCURRENTLY', 'ok', 'detach-partition-not-concurrent',
  'ALTER TABLE cov_parted DETACH PARTITION cov_part CONCURRENTLY;'),
 ('squawk', 'DETACH PARTITION FINALIZE', 'ok', 'detach-partition-not-concurrent',
  'ALTER TABLE cov_parted DETACH PARTITION cov_part FINALIZE;'),
 ('squawk', 'REINDEX TABLE', 'bad', 'reindex-not-concurrent', 'REINDEX TABLE cov_recipe;'),
 ('squawk', 'REINDEX INDEX', 'bad', 'reindex-not-concurrent', 'REINDEX INDEX cov_recipe_foo_idx;'),
 ('squawk', 'REINDEX SCHEMA', 'bad', 'reindex-not-concurrent', 'REINDEX SCHEMA public;'),
 ('squawk', 'REINDEX DATABASE', 'bad', 'reindex-not-concurrent', 'REINDEX DATABASE regression;'),
 ('squawk', 'REINDEX TABLE CONCURRENTLY', 'ok', 'reindex-not-concurrent',
  'REINDEX TABLE CONCURRENTLY cov_recipe;'),
 ('squawk', 'REINDEX INDEX CONCURRENTLY', 'ok', 'reindex-not-concurrent',
  'REINDEX INDEX CONCURRENTLY cov_recipe_foo_idx;'),
 ('squawk', 'REINDEX (CONCURRENTLY) TABLE', 'ok', 'reindex-not-concurrent',
  'REINDEX (CONCURRENTLY) TABLE cov_recipe;'),
 ('squawk', 'REINDEX SYSTEM', 'ok', 'reindex-not-concurrent', 'REINDEX SYSTEM regression;'),
 ('squawk', 'CLUSTER a table', 'bad', 'full-rewrite', 'CLUSTER cov_recipe USING cov_recipe_id_idx;'),
 ('squawk', 'CLUSTER everything', 'bad', 'full-rewrite', 'CLUSTER;'),
 ('squawk', 'VACUUM FULL', 'bad', 'full-rewrite', 'VACUUM FULL cov_recipe;'),
 ('squawk', 'VACUUM (FULL)', 'bad', 'full-rewrite', 'VACUUM (FULL) cov_recipe;'),
 ('squawk', 'VACUUM (FULL FALSE)', 'ok', 'full-rewrite', 'VACUUM (FULL FALSE) cov_recipe;'),
 ('squawk', 'VACUUM', 'ok', 'full-rewrite', 'VACUUM cov_recipe;'),
 ('squawk', 'VACUUM ANALYZE', 'ok', 'full-rewrite', 'VACUUM ANALYZE cov_recipe;'),
 ('squawk', 'VACUUM FREEZE', 'ok', 'full-rewrite', 'VACUUM FREEZE cov_recipe;');

-- squawk: changing-column-type, constraint-missing-not-valid, disallowed-unique-constraint
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'integer to text with USING', 'bad', 'alter-column-type-rewrite',
  'BEGIN; ALTER TABLE cov_recipe ALTER COLUMN edits TYPE text USING edits::text; COMMIT;'),
 ('squawk', 'varchar to a longer varchar, then text, with USING', 'bad', 'alter-column-type-rewrite',
  'BEGIN; ALTER TABLE cov_recipe ALTER COLUMN foo TYPE varchar(255) USING foo::varchar(255); ALTER TABLE cov_recipe ALTER COLUMN foo TYPE text USING foo::text; COMMIT;'),
 ('squawk', 'NOT VALID and VALIDATE in one block', 'bad', 'validate-same-transaction',
  'BEGIN; ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (user_id) REFERENCES cov_user (id) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_owner; COMMIT;'),
 ('squawk', 'NOT VALID and VALIDATE in one migration', 'bad', 'validate-same-transaction',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (user_id) REFERENCES cov_user (id) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_owner;'),
 ('squawk', 'NOT VALID and VALIDATE, then a stray COMMIT', 'bad', 'validate-same-transaction',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (user_id) REFERENCES cov_user (id) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_owner; COMMIT;'),
 ('squawk', 'foreign key without NOT VALID', 'bad', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_addr FOREIGN KEY (address) REFERENCES cov_user (address);'),
 ('squawk', 'foreign key NOT VALID, VALIDATE after', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_addr FOREIGN KEY (address) REFERENCES cov_user (address) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_addr;'),
 ('squawk', 'PRIMARY KEY USING INDEX is no scan', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_recipe_pk PRIMARY KEY USING INDEX cov_recipe_id_idx;'),
 ('squawk', 'CHECK without NOT VALID', 'bad', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_positive_balance CHECK (balance >= 0);'),
 ('squawk', 'CHECK NOT VALID, VALIDATE after', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_positive_balance CHECK (balance >= 0) NOT VALID; ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_positive_balance;'),
 ('squawk', 'CHECK on a table created in a block', 'ok', 'constraint-not-valid-missing',
  'BEGIN; CREATE TABLE cov_new (id serial NOT NULL PRIMARY KEY, age int NOT NULL); ALTER TABLE cov_new ADD CONSTRAINT cov_adult CHECK (age >= 18); COMMIT;'),
 ('squawk', 'CHECK on a table created in the script', 'ok', 'constraint-not-valid-missing',
  'CREATE TABLE cov_new (id serial NOT NULL PRIMARY KEY, age int NOT NULL); ALTER TABLE cov_new ADD CONSTRAINT cov_adult CHECK (age >= 18);'),
 ('squawk', 'UNIQUE USING INDEX is no scan', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_recipe_uniq UNIQUE USING INDEX cov_recipe_id_idx;'),
 ('squawk', 'ADD UNIQUE', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_foo_uniq UNIQUE (foo);'),
 ('squawk', 'DROP CONSTRAINT', 'ok', 'unique-without-index',
  'ALTER TABLE cov_recipe DROP CONSTRAINT cov_bar_not_null;'),
 ('squawk', 'PRIMARY KEY swapped to a concurrently built index', 'ok', 'unique-without-index',
  'CREATE UNIQUE INDEX CONCURRENTLY cov_id_tmp ON cov_user (id); ALTER TABLE cov_user DROP CONSTRAINT cov_user_pkey, ADD CONSTRAINT cov_user_pkey PRIMARY KEY USING INDEX cov_id_tmp;'),
 ('squawk', 'UNIQUE over a concurrently built index', 'ok', 'unique-without-index',
  'CREATE UNIQUE INDEX CONCURRENTLY cov_foo_uniq_idx ON cov_recipe (foo); ALTER TABLE cov_recipe ADD CONSTRAINT cov_foo_uniq UNIQUE USING INDEX cov_foo_uniq_idx;'),
 ('squawk', 'UNIQUE on a table created in a block', 'ok', 'unique-without-index',
  'BEGIN; CREATE TABLE cov_new (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sku text NOT NULL); ALTER TABLE cov_new ADD CONSTRAINT cov_sku UNIQUE (sku); COMMIT;'),
 ('squawk', 'UNIQUE on a table created in the script', 'ok', 'unique-without-index',
  'CREATE TABLE cov_new (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sku text NOT NULL); ALTER TABLE cov_new ADD CONSTRAINT cov_sku UNIQUE (sku);'),
 ('squawk', 'named UNIQUE on a new column', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD COLUMN slug text CONSTRAINT cov_slug_unique UNIQUE;'),
 ('squawk', 'UNIQUE on a new column', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD COLUMN slug text UNIQUE;');

-- squawk: require-timeout-settings (its lock_timeout half), ban-uncommitted-transaction,
-- transaction-nesting
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('squawk', 'no timeouts', 'bad', 'no-lock-timeout',
  'ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'statement_timeout only', 'bad', 'no-lock-timeout',
  'SET statement_timeout = ''5s''; ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'lock_timeout of another namespace', 'bad', 'no-lock-timeout',
  'SET cov.lock_timeout = ''1s''; SET cov.statement_timeout = ''5s''; ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'timeouts set after the DDL', 'bad', 'no-lock-timeout',
  'ALTER TABLE cov_recipe ADD COLUMN flag boolean; SET lock_timeout = ''1s''; SET statement_timeout = ''5s'';'),
 ('squawk', 'COMMENT ON without timeouts', 'bad', 'no-lock-timeout',
  'COMMENT ON COLUMN cov_recipe.note IS ''free text'';'),
 ('squawk', 'REINDEX (CONCURRENTLY false) without timeouts', 'bad', 'no-lock-timeout',
  'REINDEX (CONCURRENTLY false) INDEX cov_recipe_foo_idx;'),
 ('squawk', 'VACUUM (FULL false) without timeouts', 'bad', 'no-lock-timeout',
  'VACUUM (FULL false) cov_recipe;'),
 ('squawk', 'LOCK TABLE without timeouts', 'bad', 'no-lock-timeout',
  'LOCK TABLE cov_recipe IN ACCESS SHARE MODE;'),
 ('squawk', 'lock_timeout set first', 'ok', 'no-lock-timeout',
  'SET lock_timeout = ''1s''; ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'both timeouts set first', 'ok', 'no-lock-timeout',
  'SET lock_timeout = ''1s''; SET statement_timeout = ''5s''; ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'timeouts in mixed case', 'ok', 'no-lock-timeout',
  'SET Lock_Timeout = ''1s''; SET Statement_Timeout = ''5s''; ALTER TABLE cov_recipe ADD COLUMN flag boolean;'),
 ('squawk', 'a query, no DDL', 'ok', 'no-lock-timeout', 'SELECT count(*) FROM cov_recipe;'),
 ('squawk', 'CREATE FUNCTION after timeouts', 'ok', 'no-lock-timeout',
  'SET lock_timeout = ''1s''; SET statement_timeout = ''5s''; CREATE FUNCTION cov_add(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS ''SELECT $1 + $2'';'),
 ('squawk', 'BEGIN never committed', 'bad', 'unbalanced-transaction',
  'BEGIN; CREATE TABLE cov_new (id bigint);'),
 ('squawk', 'BEGIN ... COMMIT', 'ok', 'unbalanced-transaction',
  'BEGIN; CREATE TABLE cov_new (id bigint); COMMIT;'),
 ('squawk', 'BEGIN ... ROLLBACK', 'ok', 'unbalanced-transaction',
  'BEGIN; CREATE TABLE cov_new (id bigint); ROLLBACK;'),
 ('squawk', 'no transaction statements', 'ok', 'unbalanced-transaction',
  'CREATE TABLE cov_new (id bigint);'),
 ('squawk', 'second block never committed', 'bad', 'unbalanced-transaction',
  'BEGIN; CREATE TABLE cov_new (id bigint); COMMIT; BEGIN; CREATE TABLE cov_new2 (id bigint);'),
 ('squawk', 'START TRANSACTION never committed', 'bad', 'unbalanced-transaction',
  'START TRANSACTION; CREATE TABLE cov_new (id bigint);'),
 ('squawk', 'BEGIN WORK never committed', 'bad', 'unbalanced-transaction',
  'BEGIN WORK; CREATE TABLE cov_new (id bigint);'),
 ('squawk', 'BEGIN twice', 'bad', 'unbalanced-transaction', 'BEGIN; BEGIN; SELECT 1; COMMIT;'),
 ('squawk', 'COMMIT twice', 'bad', 'unbalanced-transaction', 'BEGIN; SELECT 1; COMMIT; COMMIT;'),
 ('squawk', 'COMMIT in a migration''s own transaction', 'bad', 'unbalanced-transaction',
  'SELECT 1; COMMIT;'),
 ('squawk', 'ROLLBACK in a migration''s own transaction', 'bad', 'unbalanced-transaction',
  'SELECT 1; ROLLBACK;'),
 ('squawk', 'one block', 'ok', 'unbalanced-transaction', 'BEGIN; SELECT 1; COMMIT;'),
 ('squawk', 'no block in a migration''s own transaction', 'ok', 'unbalanced-transaction',
  'SELECT 1;');

-- strong_migrations: the dangerous operations on PostgreSQL, and what it advises instead
INSERT INTO cov_case (source, name, verdict, rule, script) VALUES
 ('strong_migrations', 'changing a column''s type', 'bad', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN edits TYPE bigint;'),
 ('strong_migrations', 'adding an auto-incrementing column', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN seq bigserial;'),
 ('strong_migrations', 'adding a stored generated column', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN doubled int GENERATED ALWAYS AS (edits * 2) STORED;'),
 ('strong_migrations', 'adding a foreign key', 'bad', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (user_id) REFERENCES cov_user (id);'),
 ('strong_migrations', 'adding a check constraint', 'bad', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_small CHECK (balance < 1000);'),
 ('strong_migrations', 'backfilling in the migration''s transaction', 'bad', 'unbounded-dml',
  'ALTER TABLE cov_recipe ADD COLUMN flag boolean; UPDATE cov_recipe SET flag = true;'),
 ('strong_migrations', 'adding an index non-concurrently', 'bad', 'index-not-concurrent',
  'CREATE INDEX cov_baz_idx ON cov_recipe (baz);'),
 ('strong_migrations', 'adding a reference with its index', 'bad', 'index-not-concurrent',
  'ALTER TABLE cov_recipe ADD COLUMN owner_id bigint; CREATE INDEX cov_owner_idx ON cov_recipe (owner_id);'),
 ('strong_migrations', 'adding a reference with its foreign key', 'bad', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD COLUMN owner_id int REFERENCES cov_user (id);'),
 ('strong_migrations', 'adding a unique constraint', 'bad', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_note_uniq UNIQUE (note);'),
 ('strong_migrations', 'adding an exclusion constraint', 'bad', 'exclusion-constraint',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_no_overlap EXCLUDE USING gist (span WITH &&);'),
 ('strong_migrations', 'adding a column with a volatile default', 'bad', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN token uuid DEFAULT gen_random_uuid();'),
 ('strong_migrations', 'setting NOT NULL on an existing column', 'bad', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ALTER COLUMN price SET NOT NULL;'),
 ('strong_migrations', 'foreign key NOT VALID', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_owner FOREIGN KEY (user_id) REFERENCES cov_user (id) NOT VALID;'),
 ('strong_migrations', 'validating a foreign key later', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_bar_not_null;'),
 ('strong_migrations', 'check constraint NOT VALID', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_small CHECK (balance < 1000) NOT VALID;'),
 ('strong_migrations', 'backfilling in batches', 'ok', 'unbounded-dml',
  'UPDATE cov_recipe SET note = ''y'' WHERE id BETWEEN 1 AND 1000;'),
 ('strong_migrations', 'adding an index concurrently', 'ok', 'index-not-concurrent',
  'CREATE INDEX CONCURRENTLY cov_baz_idx ON cov_recipe (baz);'),
 ('strong_migrations', 'adding a reference: the column', 'ok', 'constraint-not-valid-missing',
  'ALTER TABLE cov_recipe ADD COLUMN owner_id bigint;'),
 ('strong_migrations', 'adding a reference: its index concurrently', 'ok', 'index-not-concurrent',
  'CREATE INDEX CONCURRENTLY cov_owner_idx ON cov_recipe (user_id);'),
 ('strong_migrations', 'unique index concurrently', 'ok', 'index-not-concurrent',
  'CREATE UNIQUE INDEX CONCURRENTLY cov_note_idx ON cov_recipe (id, note);'),
 ('strong_migrations', 'unique constraint over an index', 'ok', 'unique-without-index',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_recipe_uniq UNIQUE USING INDEX cov_recipe_id_idx;'),
 ('strong_migrations', 'volatile default: column without it', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ADD COLUMN token uuid;'),
 ('strong_migrations', 'volatile default: set for new rows', 'ok', 'add-column-volatile-default',
  'ALTER TABLE cov_recipe ALTER COLUMN foo SET DEFAULT gen_random_uuid()::text;'),
 ('strong_migrations', 'NOT NULL: CHECK NOT VALID first', 'ok', 'set-not-null-scan',
  'ALTER TABLE cov_recipe ADD CONSTRAINT cov_price_nn CHECK (price IS NOT NULL) NOT VALID;'),
 ('strong_migrations', 'NOT NULL: validated, then SET NOT NULL', 'ok', 'set-not-null-scan',
  'ALTER TABLE cov_recipe VALIDATE CONSTRAINT cov_bar_not_null; ALTER TABLE cov_recipe ALTER COLUMN bar SET NOT NULL;'),
 ('strong_migrations', 'safe type change: varchar longer', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN foo TYPE varchar(200);'),
 ('strong_migrations', 'safe type change: varchar to text', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN foo TYPE text;'),
 ('strong_migrations', 'safe type change: varchar without limit', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN foo TYPE varchar;'),
 ('strong_migrations', 'safe type change: text to varchar without limit', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN note TYPE varchar;'),
 ('strong_migrations', 'safe type change: numeric more precision, same scale', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN price TYPE numeric(12, 2);'),
 ('strong_migrations', 'safe type change: numeric unconstrained', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN price TYPE numeric;'),
 ('strong_migrations', 'safe type change: timestamp more precision', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN cooked_at TYPE timestamp(6);'),
 ('strong_migrations', 'safe type change: timestamp without precision', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN cooked_at TYPE timestamp;'),
 ('strong_migrations', 'safe type change: timestamptz more precision', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN served_at TYPE timestamptz(6);'),
 ('strong_migrations', 'safe type change: interval more precision', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN took TYPE interval(6);'),
 ('strong_migrations', 'safe type change: time more precision', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN at TYPE time(6);'),
 ('strong_migrations', 'safe type change: cidr to inet', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN net TYPE inet;'),
 ('strong_migrations', 'type change: numeric less scale', 'bad', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN price TYPE numeric(12, 1);'),
 ('strong_migrations', 'type change: varchar shorter', 'bad', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN foo TYPE varchar(20);'),
 ('strong_migrations', 'type change: timestamp to timestamptz outside UTC', 'bad', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN cooked_at TYPE timestamptz;');
INSERT INTO cov_case (source, name, verdict, rule, script, time_zone) VALUES
 ('strong_migrations', 'safe type change: timestamp to timestamptz in UTC', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN cooked_at TYPE timestamptz;', 'UTC'),
 ('strong_migrations', 'safe type change: timestamptz to timestamp in UTC', 'ok', 'alter-column-type-rewrite',
  'ALTER TABLE cov_recipe ALTER COLUMN served_at TYPE timestamp;', 'UTC');

-- Every rule each case draws (the named one marked *), as the linter reports them.
CREATE FUNCTION pg_temp.findings(c cov_case) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    found text;
BEGIN
    PERFORM set_config('TimeZone', c.time_zone, true);
    SELECT string_agg(DISTINCT CASE WHEN l.rule = c.rule THEN '*' ELSE '' END || l.rule, ' ')
        INTO found FROM public.migrate_lint(c.script) l;
    RETURN coalesce(found, '');
END $$;
CREATE FUNCTION pg_temp.holds(c cov_case) RETURNS boolean LANGUAGE sql AS $$
    SELECT (strpos(' ' || pg_temp.findings(c) || ' ', ' *' || c.rule || ' ') > 0) = (c.verdict = 'bad')
$$;

SELECT source, verdict, name, rule, pg_temp.findings(c) AS findings,
       CASE WHEN pg_temp.holds(c) THEN '' WHEN c.verdict = 'bad' THEN 'MISSED'
            ELSE 'FALSE POSITIVE' END AS outcome
FROM cov_case c ORDER BY source, verdict, name;

-- The figures: bad cases caught, ok cases left alone.
SELECT source,
       count(*) FILTER (WHERE verdict = 'bad') AS bad_cases,
       count(*) FILTER (WHERE verdict = 'bad' AND pg_temp.holds(c)) AS caught,
       round(100.0 * count(*) FILTER (WHERE verdict = 'bad' AND pg_temp.holds(c))
             / count(*) FILTER (WHERE verdict = 'bad'), 1) AS caught_pct,
       count(*) FILTER (WHERE verdict = 'ok') AS ok_cases,
       count(*) FILTER (WHERE verdict = 'ok' AND NOT pg_temp.holds(c)) AS false_positives
FROM cov_case c GROUP BY source ORDER BY source;
RESET client_min_messages;
RESET TimeZone;
