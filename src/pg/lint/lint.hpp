// The migration linter: per-statement findings about locks, rewrites, scans and
// statements that fail at run time, from the server's own parser and the live catalog.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct LintFinding {
    int statement = 0;          // 1-based statement number in the script
    int line = 0;               // line of the statement's first token
    std::string rule;           // stable id, e.g. "index-not-concurrent"
    std::string severity;       // "error", "warning" or "info"
    std::string lock_mode;      // lock the statement takes, e.g. "ShareLock", "AccessExclusiveLock"; empty if none
    std::string relation;       // the relation it locks, as written; empty if none
    std::optional<long long> relation_bytes;   // pg_total_relation_size at lint time, if it exists
    std::optional<double> row_estimate;        // pg_class.reltuples (or a count-free estimate), if it exists
    std::string message;
    std::string hint;           // the safe form
};

struct LintIgnore { int statement; int line; std::string rule; std::string reason; };

struct LintResult { std::vector<LintFinding> findings; std::vector<LintIgnore> ignored; };

// Parses with raw_parser (a syntax error becomes a finding with rule "syntax-error", severity
// "error" and the line, never an exception); reads catalog facts at lint time as the caller
// (needs a connected SPI); a table created earlier in the same script counts as empty;
// "-- migrate:lint-ignore rule-id [reason]" on the line just before a statement silences that
// rule for that statement and is reported in `ignored`.
LintResult lint_script(const std::string& script);

struct StatementLock {
    int statement = 0;
    std::string lock_mode;  // "ShareLock", ...
    std::string relation;   // as written
};

// The relation lock each statement takes, by the linter's reading of the parse tree;
// statements that lock no relation, and a script that does not parse, give none.
std::vector<StatementLock> statement_locks(const std::string& script);

}  // namespace ms::pg
