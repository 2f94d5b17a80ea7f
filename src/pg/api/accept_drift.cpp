// migrate_accept_drift(objects text[], project) -> SETOF (change, object_type, object): takes
// the live form of each named object into the expected state, so that it is no longer drift,
// and logs who did it to history. The only way, besides a migration producing the same
// object, that drift is resolved.
#include "core/base/failure.hpp"
#include "pg/base/arguments.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/internal_scope.hpp"
#include "pg/base/result_set.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/standby.hpp"
#include "pg/registry/registry.hpp"
#include "pg/schema/catalog_marker.hpp"
#include "pg/schema/expected_state.hpp"
#include "pg/schema/snapshot.hpp"

#include <boost/algorithm/string/join.hpp>

#include <algorithm>
#include <map>

namespace ms::pg {

namespace {

// "index app.hotfix_idx": the kind is the first word (no kind has a space in it), the
// identity the rest, as migrate_drift() prints them.
ObjectKey parse_object(const std::string& text) {
    const auto space = text.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == text.size())
        throw core::Failure(core::FailureKind::InvalidValue,
                            "\"" + text + "\" names no object",
                            "Each element is an object's kind and identity, separated by a "
                            "space, as migrate_drift() shows them in object_type and object.",
                            "For example: 'index app.items_name_idx'.");
    return {text.substr(0, space), text.substr(space + 1)};
}

Datum accept_drift_body(FunctionCallInfo fcinfo) {
    refuse_read_only("migrate_accept_drift");
    const auto objects = optional_text_array(fcinfo, 0, "objects");
    const std::string project = project_argument(fcinfo, 1);
    if (!objects || objects->empty())
        throw core::Failure(core::FailureKind::NullValue, "objects must name at least one object",
                            {}, "Name the objects migrate_drift() lists, as 'kind identity'.");
    std::vector<ObjectKey> wanted;
    for (const auto& o : *objects)
        wanted.push_back(parse_object(o));
    const std::string caller = caller_role();
    ResultSet rows(fcinfo);
    SpiConnection spi;
    InternalScope internal;
    if (!expected_state_filled())
        throw core::Failure(core::FailureKind::Conflict,
                            "there is no expected state of the schema to accept drift into yet",
                            "The first apply, run, rollback or baseline records it.",
                            "Run ALTER EXTENSION migrations_schema UPDATE, then apply.");
    // The catalog digest around the comparison: unchanged, what is left open below is the
    // drift at that digest, and the next check reads it instead of comparing again.
    const std::string marker = catalog_marker();
    const Drift drift = current_drift(std::nullopt);
    std::map<ObjectKey, const core::SchemaChange*> open;
    for (const auto& c : drift.changes)
        open[{c.kind, c.object}] = &c;
    std::vector<std::string> accepted;
    for (const auto& key : wanted) {
        const auto found = open.find(key);
        if (found == open.end()) {
            // migrate_drift() also lists the DDL log (source 'ddl'): statements, not objects
            // that differ; they leave the list once no object differs any more.
            const bool logged_only = std::any_of(
                drift.ddl.begin(), drift.ddl.end(), [&](const DdlLogEntry& d) {
                    return d.object_type == key.first && d.object_identity == key.second;
                });
            throw core::Failure(
                core::FailureKind::NotFound, "no open drift on " + key.first + " " + key.second,
                "Nothing was accepted.",
                logged_only ? "It is in the DDL log (source 'ddl' in migrate_drift()), which is "
                              "not accepted: it clears once no object differs from the expected "
                              "state. Accept the rows of source 'schema'."
                            : "migrate_drift() lists the objects that differ from what "
                              "migrations made.");
        }
        accepted.push_back(std::string(core::change_name(found->second->change)) + " " +
                           key.first + " " + key.second);
    }
    accept_objects(wanted);
    std::vector<core::SchemaChange> left;
    for (const auto& c : drift.changes)
        if (std::find(wanted.begin(), wanted.end(), ObjectKey{c.kind, c.object}) == wanted.end())
            left.push_back(c);
    if (same_catalog_state(catalog_marker(), marker))
        set_known_drift(marker, left);
    else
        set_expected_marker(std::nullopt);
    append_history({project, std::nullopt, "accept-drift", std::nullopt, std::nullopt,
                    std::nullopt, "accepted into the expected state: " +
                                      boost::algorithm::join(accepted, "; ")},
                   caller);
    // Cells point at their text: it lives until the rows are added.
    std::vector<std::string> changes;
    for (const auto& key : wanted)
        changes.emplace_back(core::change_name(open[key]->change));
    for (std::size_t i = 0; i < wanted.size(); ++i)
        rows.add_row({Cell::text(changes[i]), Cell::text(wanted[i].first),
                      Cell::text(wanted[i].second)});
    return Datum(0);
}

}  // namespace

}  // namespace ms::pg

MS_SQL_FUNCTION(migrate_accept_drift, ms::pg::accept_drift_body)
