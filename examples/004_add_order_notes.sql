ALTER TABLE orders ADD COLUMN notes text;

CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A note edited by support marks the order as reviewed; a semicolon here is fine.
    NEW.notes := trim(NEW.notes);
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_touch BEFORE UPDATE OF notes ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_touch();
