#include "pg/runner/relation_state.hpp"

#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"

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
                                  "OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) l.mode "
                                  "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c "
                                  "ON c.oid OPERATOR(pg_catalog.=) l.relation "
                                  "WHERE l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() "
                                  "AND l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.granted "
                                  "AND ") +
                      user_relations)
                         .c_str(),
                     {});
    for (std::uint64_t i = 0; i < rows; ++i)
        state.locks.insert(spi_required_text(i, 1));
    return state;
}

}  // namespace ms::pg
