DROP TRIGGER orders_touch ON orders;
DROP FUNCTION orders_touch();
ALTER TABLE orders DROP COLUMN notes;
