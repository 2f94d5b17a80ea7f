-- migrate_baseline: adopting a database whose schema already exists.
CALL regress.reset();
SET search_path = app, public;
-- The schema as an older deployment left it, before any runner kept track.
CREATE TABLE app.users (id int);
CREATE TABLE app.orders (id int);
SELECT migrate_register('1', 'users', 'CREATE TABLE users (id int);', 'DROP TABLE users;');
SELECT migrate_register('2', 'orders', 'CREATE TABLE orders (id int);', 'DROP TABLE orders;');
SELECT migrate_register('3', 'invoices', 'CREATE TABLE invoices (id int);', 'DROP TABLE invoices;');

-- Applying would fail: the tables exist. A baseline at 2 marks 1 and 2 applied, runs nothing.
SELECT version, name FROM migrate_baseline('2');
SELECT version, state, applied_by = current_user AS by_me FROM migrate_status();
SELECT version, statements FROM migrate_apply();
SELECT version, action, detail FROM migrate_history() WHERE action = 'baseline' ORDER BY id;

-- A baseline between registered versions marks those below it.
CALL regress.reset();
SET search_path = app, public;
SELECT migrate_register('10', 'a', 'SELECT 1;');
SELECT migrate_register('20', 'b', 'SELECT 1;');
SELECT migrate_register('30', 'c', 'SELECT 1;');
SELECT version FROM migrate_baseline('25');
-- Baselining again at or below what is marked changes nothing.
SELECT * FROM migrate_baseline('20');

-- Refused, changing nothing.
SELECT version FROM migrate_apply();
SELECT regress.snapshot() AS before \gset
SELECT * FROM migrate_baseline('15');
SELECT * FROM migrate_baseline('5');
SELECT * FROM migrate_baseline('x');
SELECT * FROM migrate_baseline(NULL);
SELECT * FROM migrate_baseline('30', NULL);
SELECT * FROM migrate_baseline('30', 'empty_project');
SELECT regress.snapshot() = :'before' AS unchanged;
