DROP INDEX orders_account_placed_idx;
