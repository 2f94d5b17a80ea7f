// Fault injection for the tests: the superuser-only setting
// migrations_schema.fault_injection names a point ("commit", "internal_query:3", ...) where
// the next call raises an error as PostgreSQL would, so that every error path of the runner
// can be walked from a test. Empty (the default) costs one comparison per point.
//
// Points: internal_query (every query on the tracking tables), commit, lock, lease,
// record_applied, record_failure, snapshot, fingerprint, worker_start, worker_done.
// "name:N" fails the Nth time the point is reached in the current call (1 by default).
// worker_vanish: the background worker exits before its statement, without a word.
// "pause:name:N[:MS]" waits there (MS ms, a minute by default, answering interrupts), showing
// "migrations_schema fault pause at name" in pg_stat_activity, so that a test can cancel or
// terminate the session at that very point; "jitter:MS" waits a random 0..MS ms at every
// point, so that concurrent runners interleave differently each round; "trace" names each
// point reached in a NOTICE, so that a test walks only the points a call reaches.
// "digest_reads_all": the catalog digest reads every page instead of taking over the parts
// that did not change; "no_catalog_digest": no two digests compare equal, so every drift
// check compares fingerprints (the oracle the digest is tested against).
#pragma once

namespace ms::pg {

void fault_point(const char* name);

// Restarts the counts; each SQL entry point calls it.
void reset_fault_counts() noexcept;

}  // namespace ms::pg
