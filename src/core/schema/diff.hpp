// Differences between two schema fingerprints, object by object: what migrate_test reports
// when a down script does not undo its up script, and what migrate_drift reports when the
// schema changed outside migrations.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::core {

// One attribute of one catalog object, as the fingerprint flattens it:
// kind "index", object "public.t_a_idx", attribute "definition", value "CREATE INDEX ...".
struct SchemaAttribute {
    std::string kind;
    std::string object;
    std::string attribute;
    std::string value;
};

enum class SchemaChangeKind { Added, Removed, Changed };

struct SchemaChange {
    SchemaChangeKind change;
    std::string kind;
    std::string object;
    // added/removed: the object's definition (or its attributes); changed: every attribute
    // that differs, "attribute: old -> new".
    std::string detail;
};

const char* change_name(SchemaChangeKind change);
// The change change_name() names; nullopt for any other text.
std::optional<SchemaChangeKind> change_kind_named(const std::string& name);

// Sorted by kind, then object; the inputs may come in any order. An object is identified
// by (kind, object); duplicates of one attribute keep the last value.
std::vector<SchemaChange> diff_schemas(const std::vector<SchemaAttribute>& before,
                                       const std::vector<SchemaAttribute>& after);

// Long values (function bodies, view definitions) are cut to this many bytes in details,
// at a UTF-8 character boundary, with "..." appended; the fingerprint has them in full.
constexpr std::size_t detail_value_limit = 160;

// A JSON array of {"change", "kind", "object", "detail"} objects (plus "step" when not
// empty), for the jsonb columns of migrate_test.
std::string changes_json(const std::vector<SchemaChange>& changes, const std::string& step = {});

// A JSON string literal, quotes included.
std::string json_string(const std::string& text);

}  // namespace ms::core
