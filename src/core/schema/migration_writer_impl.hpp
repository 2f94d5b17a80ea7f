// The writer behind core/schema/migration_writer, shared by its three files: migration_writer.cpp
// (what changes, the phases and their order), ddl_tables.cpp (tables, columns, constraints,
// indexes) and ddl_objects.cpp (the other kinds, comments and grants). Not for other users.
#pragma once

#include "core/schema/acl_grants.hpp"
#include "core/schema/migration_writer.hpp"

#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/predicate.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ms::core::writer {

using boost::algorithm::ends_with;
using boost::algorithm::join;
using boost::algorithm::starts_with;

// Phases of a script: renames, drops, creates and changes (in dependency order), then the
// drops that had to wait until what depended on the dropped object was changed.
// Release detaches what a drop would otherwise take along (a sequence owned by a dropped
// column that stays) or what holds a name a create needs (an identity's sequence).
enum Phase { Rename = 0, Release = 1, Drop = 2, Build = 3, LateDrop = 4 };

struct Step {
    Phase phase;
    ObjectKey anchor;  // ordered where this object is ordered
    std::string sql;   // one statement ending with ';', comments above it
};

// The order of kinds when nothing else decides: what others are built from comes first.
int kind_rank(const std::string& kind);
std::string strip_semicolon(std::string text);
// The text with exactly one ';' at its end.
std::string statement(const std::string& text);
// A comment is one line: a newline in a name must not end it.
std::string comment_line(const std::string& text);
// Options as the fingerprint prints them ("a=1,b=x") for WITH (...)/SET (...).
std::vector<std::string> option_list(const std::string& options);
std::string option_names(const std::vector<std::string>& options);

// Writes one direction: from one schema model to another.
class Writer {
public:
    Writer(const SchemaModel& from, const SchemaModel& to, bool online,
           std::string table_owner_privileges = "arwdDxt")
        : from_(from), to_(to), online_(online),
          table_owner_privileges_(std::move(table_owner_privileges)) {}

    DirectionScript write(const std::vector<std::pair<std::string, std::string>>& renames);

private:
    // ---- state ------------------------------------------------------------------------------
    const SchemaModel& from_;
    const SchemaModel& to_;
    bool online_;
    std::string table_owner_privileges_;
    std::vector<Step> steps_;
    DirectionScript out_;
    std::set<ObjectKey> created_, dropped_, replaced_;
    // Enum types rebuilt under their name (a value removed or moved), with the table columns
    // that use them.
    std::map<ObjectKey, std::vector<ObjectKey>> enum_rebuilds_;
    // Values added with ADD VALUE: the same transaction cannot use them.
    std::vector<std::pair<ObjectKey, std::string>> added_enum_values_;

    // ---- what an object is -------------------------------------------------------------
    static std::vector<std::string> enum_values(const SchemaModel& m, const ObjectKey& t);

    // Whether ADD VALUE reaches `after` from `before`: the old values keep their order.
    static bool enum_extends(const std::vector<std::string>& before, const std::vector<std::string>& after);

    // The table columns using enum `t`, when nothing else does (a function, a domain, a check
    // naming one of its values would keep the old type alive): nullopt otherwise.
    std::optional<std::vector<ObjectKey>> enum_users(const ObjectKey& t);

    void rebuild_enum(const ObjectKey& t, const std::vector<ObjectKey>& users);

    // The table (or view, type) a column, constraint, trigger, ... belongs to.
    static ObjectKey parent_of(const SchemaModel& m, const ObjectKey& key);

    // The constraint an index is built for (primary key, unique, exclusion), if any.
    static std::optional<ObjectKey> constraint_of_index(const SchemaModel& m, const ObjectKey& index);

    // The object this one is created and dropped with, if it never is on its own.
    static std::optional<ObjectKey> owner_of(const SchemaModel& m, const ObjectKey& key);

    static bool is_identity_sequence(const SchemaModel& m, const ObjectKey& key);

    // Objects that exist only as a part of another one and come with its statement.
    static bool built_with_owner(const SchemaModel& m, const ObjectKey& key);

    bool in_any(const std::set<ObjectKey>& set, const SchemaModel& m, ObjectKey key);

    bool table_is_new(const ObjectKey& table) const;

    bool partitioned(const SchemaModel& m, const std::string& table) const;

    // ---- emitting -------------------------------------------------------------------------
    void add(Phase phase, const ObjectKey& anchor, const std::string& sql);

    void hazard(Phase phase, const ObjectKey& anchor, const std::string& text);

    void not_generated(const ObjectKey& anchor, const std::string& text);

    std::map<std::pair<int, ObjectKey>, std::string> pending_comment_;

    // ---- names for statements -------------------------------------------------------------
    static std::string comment_target(const SchemaModel& m, const ObjectKey& key);

    std::optional<AclTarget> acl_target(const SchemaModel& m, const ObjectKey& key) const;

    // Comment and grants from one side's attributes to the other's.
    void describe(const ObjectKey& key, const ObjectAttributes* before, const ObjectAttributes& after);

    // ---- columns ----------------------------------------------------------------------------
    std::string identity_options(const SchemaModel& m, const ObjectKey& column);
    // " START WITH 1 INCREMENT BY 1 ... NO CYCLE": a sequence's options as CREATE SEQUENCE and
    // an identity column's sequence both spell them.
    static std::string sequence_options(const SchemaModel& m, const ObjectKey& sequence);

    std::string collate_clause(const SchemaModel& m, const ObjectKey& column);

    // name type [COMPRESSION] [COLLATE] [DEFAULT | GENERATED] [IDENTITY] [NOT NULL]
    std::string column_definition(const ObjectKey& column, bool with_not_null);

    // STORAGE, STATISTICS and options: statements of their own after the column exists.
    void column_settings(const ObjectKey& column, const ObjectAttributes* before);

    // The storage a type has by default, for the built-in types whose it is known.
    static std::string type_storage(const std::string& type);

    void set_not_null_online(const ObjectKey& column);

    // A type change that keeps the bytes (no rewrite): varchar(n) to a larger n or to text.
    static bool cheap_type_change(const std::string& a, const std::string& b);

    void add_column(const ObjectKey& column);

    void alter_column(const ObjectKey& column);

    // ---- tables -----------------------------------------------------------------------------
    std::vector<ObjectKey> columns_of(const SchemaModel& m, const std::string& parent);

    void create_table(const ObjectKey& table);

    void table_settings(const ObjectKey& table, const ObjectAttributes* before);

    void alter_table(const ObjectKey& table);

    // ---- constraints ------------------------------------------------------------------------
    static std::string constraint_body(const std::string& definition);

    void create_constraint(const ObjectKey& c);

    std::optional<ObjectKey> constraint_index(const ObjectKey& c);

    void drop_constraint(const ObjectKey& c, Phase phase);

    // ---- indexes ----------------------------------------------------------------------------
    void create_index(const ObjectKey& index);

    void index_settings(const ObjectKey& index, const ObjectAttributes* before);

    void drop_index(const ObjectKey& index, Phase phase);

    // ---- other kinds ------------------------------------------------------------------------
    void create_sequence(const ObjectKey& s);

    void alter_sequence(const ObjectKey& s);

    void create_view(const ObjectKey& v);

    // The signature and RETURNS lines of pg_get_functiondef: what CREATE OR REPLACE cannot
    // change.
    static std::string function_head(const std::string& definition);

    void create_function(const ObjectKey& f);

    std::string policy_sql(const ObjectKey& p);

    void create_statistics(const ObjectKey& s);

    void create_type(const ObjectKey& t);

    void alter_type(const ObjectKey& t);

    // ---- deciding ---------------------------------------------------------------------------
    // Objects that cannot change in place: dropped and created again.
    bool needs_replace(const ObjectKey& k);

    void create(const ObjectKey& k);

    static std::string quote_name(const std::string& name);

    void trigger_state(const ObjectKey& k, const std::string& before);

    void alter(const ObjectKey& k);

    void drop(const ObjectKey& k, Phase phase);

    // The object a step on `key` is ordered with in `m`: a column of a table built in this
    // script is ordered with the table, a view's column with the view, an index of a
    // constraint with the constraint.
    ObjectKey node_of(const SchemaModel& m, const ObjectKey& key, const std::set<ObjectKey>& built);

    std::vector<ObjectKey> ordered(const SchemaModel& m, const std::set<ObjectKey>& anchors,
                                   const std::set<ObjectKey>& built, bool reverse);
};

}  // namespace ms::core::writer
