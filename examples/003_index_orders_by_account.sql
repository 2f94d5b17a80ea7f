-- Order history pages look orders up by account, newest first.
CREATE INDEX orders_account_placed_idx ON orders (account_id, placed_at DESC);
