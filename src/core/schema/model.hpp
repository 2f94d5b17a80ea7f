// A schema as the generator sees it: the fingerprint's objects ({kind: {identity:
// {attribute: text}}}, flattened as core/schema/diff's SchemaAttribute), plus what the
// fingerprint does not hold and the server reads for generation only: which object depends
// on which (pg_depend), the position of each column, and which objects come into being with
// another one (a partition's copy of its parent's index, a sequence of an identity column).
#pragma once

#include "core/schema/diff.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ms::core {

struct ObjectKey {
    std::string kind;
    std::string identity;
    bool operator<(const ObjectKey& o) const {
        return kind != o.kind ? kind < o.kind : identity < o.identity;
    }
    bool operator==(const ObjectKey& o) const { return kind == o.kind && identity == o.identity; }
    bool operator!=(const ObjectKey& o) const { return !(*this == o); }
};

using ObjectAttributes = std::map<std::string, std::string>;

struct SchemaModel {
    std::map<ObjectKey, ObjectAttributes> objects;
    // dependent -> the objects it depends on
    std::map<ObjectKey, std::set<ObjectKey>> depends_on;
    // column identity -> its position (attnum); columns without one sort by name
    std::map<std::string, int> positions;
    // object -> the object it comes and goes with (never created or dropped on its own)
    std::map<ObjectKey, ObjectKey> implied_by;

    const ObjectAttributes* find(const ObjectKey& key) const;
    // The attribute's value, or "" when the object or the attribute is absent.
    std::string get(const ObjectKey& key, const std::string& attribute) const;
};

// One dependency as the server lists it.
struct SchemaDependency {
    ObjectKey dependent;
    ObjectKey referenced;
};

SchemaModel build_model(const std::vector<SchemaAttribute>& attributes,
                        const std::vector<SchemaDependency>& dependencies = {},
                        const std::map<std::string, int>& positions = {},
                        const std::vector<SchemaDependency>& implied = {});

// Only the objects of the schemas named (as the server names them, unquoted): a schema, the
// objects whose identity starts with it, and the extensions installed in it; dependencies,
// positions and implied objects likewise.
SchemaModel restrict_to_schemas(const SchemaModel& model, const std::vector<std::string>& schemas);

// The parts of a qualified identity as the fingerprint prints them ("app"."my t".c ->
// {"app", "\"my t\"", "c"}); quotes are kept, so each part is valid SQL as it stands. A dot
// inside double quotes or parentheses (a function's argument types) does not split.
std::vector<std::string> identity_parts(const std::string& identity);

// All parts but the last, joined again ("app.t.c" -> "app.t"); "" for one part.
std::string identity_parent(const std::string& identity);

// The last part ("app.t.c" -> "c").
std::string identity_name(const std::string& identity);

// A SQL string literal: 'it''s'.
std::string sql_literal(const std::string& text);

// The strings of a JSON array of strings (the enum "values" attribute); throws
// std::invalid_argument on anything else.
std::vector<std::string> json_string_array(const std::string& json);

// Kahn's topological order of `nodes`: a node comes after every node it depends on (edges
// outside `nodes` are ignored). Ties and cycles are broken by `rank` (lower first), then by
// key; a cycle never stops the order, its members follow in rank order.
std::vector<ObjectKey> dependency_order(const std::set<ObjectKey>& nodes,
                                        const std::map<ObjectKey, std::set<ObjectKey>>& depends_on,
                                        const std::function<int(const ObjectKey&)>& rank);

}  // namespace ms::core
