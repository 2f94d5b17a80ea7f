BEGIN;

CREATE TYPE order_status AS ENUM ('open', 'paid', 'shipped', 'cancelled');

CREATE TABLE orders (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    status     order_status NOT NULL DEFAULT 'open',
    total      numeric(12, 2) NOT NULL CHECK (total >= 0),
    placed_at  timestamptz NOT NULL DEFAULT now()
);

COMMIT;
