#include "pg/runner/relation_state.hpp"

#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"
#include "pg/lint/lint.hpp"

#include <string>

namespace ms::pg {

namespace {

// User relations only: the catalogs and the tracking tables change on every migration.
const char* const user_relations =
    "c.relnamespace OPERATOR(pg_catalog.<>) ALL (ARRAY(SELECT oid FROM pg_catalog.pg_namespace "
    "WHERE nspname OPERATOR(pg_catalog.=) ANY ('{pg_catalog,information_schema,pg_toast,"
    "migrations_schema}'::pg_catalog.text[])))";

}  // namespace

core::RelationState capture_relation_state() {
    InternalScope internal;
    core::RelationState state;
    auto rows = spi_query((std::string("SELECT c.oid::pg_catalog.regclass::pg_catalog.text, "
                                       "c.relfilenode::pg_catalog.text "
                                       "FROM pg_catalog.pg_class c WHERE c.relkind "
                                       "OPERATOR(pg_catalog.=) ANY ('{r,m}') AND ") +
                           user_relations)
                              .c_str(),
                          {});
    for (std::uint64_t i = 0; i < rows; ++i)
        state.storage.emplace(spi_required_text(i, 1), spi_required_text(i, 2));
    rows = spi_query((std::string("SELECT c.oid::pg_catalog.regclass::pg_catalog.text "
                                  "OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) l.mode, "
                                  "c.oid::pg_catalog.regclass::pg_catalog.text, "
                                  "pg_catalog.pg_total_relation_size(c.oid)::pg_catalog.text "
                                  "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c "
                                  "ON c.oid OPERATOR(pg_catalog.=) l.relation "
                                  "WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() "
                                  "AND l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.granted "
                                  "AND ") +
                      user_relations)
                         .c_str(),
                     {});
    for (std::uint64_t i = 0; i < rows; ++i) {
        state.locks.insert(spi_required_text(i, 1));
        state.bytes[spi_required_text(i, 2)] = std::stoll(spi_required_text(i, 3));
    }
    return state;
}

std::set<std::string> statement_locks_now(const std::string& script) {
    std::set<std::string> locks;
    for (const auto& lock : statement_locks(script)) {
        // Resolved on the caller's search_path, as the migration resolved it; named as
        // capture_relation_state names relations (qualified).
        const auto rows = spi_query_caller_names("SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
                  "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) "
                                    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                    "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
                                    "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
                                    {text_arg(lock.relation)});
        if (rows > 0)
            locks.insert(spi_required_text(0, 1) + " " + lock.lock_mode);
    }
    return locks;
}

}  // namespace ms::pg
