#include "pg/runner/undo_dependents.hpp"

#include "core/plan/undo_dependents.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/subtransaction.hpp"
#include "pg/parse/statements.hpp"
#include "pg/registry/registry.hpp"
#include "pg/runner/script_rewrite.hpp"
#include "pg/runner/statement_executor.hpp"
#include "pg/schema/drop_watch.hpp"

#include <boost/algorithm/string/join.hpp>

#include <exception>
#include <set>
#include <utility>

namespace ms::pg {

namespace {

// The relation an object belongs to (an index's table, a constraint's, a column's), read
// after the rehearsal was rolled back, when the object exists again; 0 when none.
Oid owning_relation(const DroppedObject& o) {
    spi_query(
        "SELECT (CASE "
        "WHEN $1::pg_catalog.oid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass THEN "
        "COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i "
        "WHERE i.indexrelid OPERATOR(pg_catalog.=) $2::pg_catalog.oid), $2::pg_catalog.oid) "
        "WHEN $1::pg_catalog.oid OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN "
        "(SELECT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.oid OPERATOR(pg_catalog.=) $2::pg_catalog.oid) "
        "WHEN $1::pg_catalog.oid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN "
        "(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) $2::pg_catalog.oid) "
        "WHEN $1::pg_catalog.oid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass THEN "
        "(SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) $2::pg_catalog.oid) "
        "END)::pg_catalog.text",
        {text_arg(std::to_string(o.classid)), text_arg(std::to_string(o.objid))});
    const auto owner = spi_text(0, 1);
    return owner ? static_cast<Oid>(std::stoul(*owner)) : InvalidOid;
}

bool reported_kind(const std::string& type) {
    static const std::set<std::string> kinds = {
        "index", "view", "materialized view", "table", "table column", "table constraint",
        "trigger", "policy", "foreign table"};
    return kinds.count(type) > 0;
}

}  // namespace

void check_undo_dependents(const std::string& project, const std::vector<core::Migration>& plan,
                           const core::RollbackRequest& request) {
    if (!request.version || !request.allow_out_of_order || plan.size() != 1)
        return;
    const core::Migration& m = plan.front();
    std::vector<core::LaterMigration> later;
    std::string down;
    {
        InternalScope internal;
        for (const auto& other : core::migration_states(load_registered(project),
                                                        load_applied(project))) {
            if (!core::is_applied(other.state) || !(m.version < other.version) ||
                other.state == core::State::Missing)
                continue;
            if (auto up = load_script(project, other.version.text(), Script::Up))
                later.push_back({other.version.text() + " (" + other.name + ")", std::move(*up)});
        }
        if (later.empty())
            return;
        down = load_script(project, m.version.text(), Script::Down).value_or("");
    }
    // CONCURRENTLY blanked out, as in a dry run: the drops are the same, and run in the
    // subtransaction; what only runs at top level (VACUUM, DO with COMMIT) is left out.
    const std::string script = without_concurrently(down);
    const MigrationLabel label{project, m.version.text(), m.name, "down"};
    std::vector<Statement> statements;
    for (auto& s : parse_script(script, label))
        if (!s.top_level)
            statements.push_back(std::move(s));
    DropWatch watch;
    std::exception_ptr failed;
    int sqlstate = 0;
    try {
        in_discarded_subtransaction([&] { execute_statements(script, statements, label); });
    } catch (const PgError& e) {
        failed = std::current_exception();
        sqlstate = e.data()->sqlerrcode;
    }
    // A cancel ends the call. Any other error: the undo itself fails the same way and says
    // so, with its record, and the check has nothing to add.
    if (sqlstate == ERRCODE_QUERY_CANCELED || sqlstate == ERRCODE_ADMIN_SHUTDOWN)
        std::rethrow_exception(failed);
    if (failed)
        return;
    std::set<Oid> named_relations;
    for (const auto& d : watch.dropped())
        if (d.original && d.classid == RelationRelationId && d.objsubid == 0)
            named_relations.insert(d.objid);
    std::vector<core::DroppedAlong> along;
    for (const auto& d : watch.dropped()) {
        if (d.original || !reported_kind(d.type))
            continue;
        if (named_relations.count(owning_relation(d)) > 0)
            continue;  // a part of a table the script drops by name
        along.push_back({d.type, d.identity});
    }
    const std::string undone = m.version.text() + " (" + m.name + ")";
    const auto made = core::made_by_later(along, later);
    if (!made.empty() && request.force) {
        const std::string list = boost::algorithm::join(made, "; ");
        pg_call([&] {
            ereport(WARNING,
                    (errmsg("undoing migration %s also drops what later migrations made (force)",
                            undone.c_str()),
                     errdetail("Its down script also drops: %s. Those migrations stay applied "
                               "without it.", list.c_str()),
                     errhint("Put back what they need with a new migration, or roll them back "
                             "too.")));
        });
        return;
    }
    core::refuse_undo_of_dependents(undone, made);
}

}  // namespace ms::pg
