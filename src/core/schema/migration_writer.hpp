// The DDL that turns one schema into another: the up script (live -> desired) and the down
// script (desired -> live), written by the same rules in both directions.
//
// Online-safe by default: indexes on tables that exist before the script are built and
// dropped CONCURRENTLY; checks and foreign keys on them are added NOT VALID and validated in
// a later statement; SET NOT NULL goes through a validated CHECK (column IS NOT NULL); a
// unique or primary key constraint is added USING INDEX built concurrently. What cannot be
// done in place (removing an enum value, an aggregate, a change of a table's kind) is not
// written but named, in the script and in not_generated. Dropping a table or a column, and
// a type change that rewrites a table, are written with a comment naming the hazard.
//
// Order: creates follow the dependencies the server read from pg_depend (dependencies of
// the desired schema), drops the reverse (dependencies of the live schema); a fixed order of
// kinds breaks ties and orders what has no dependency recorded.
#pragma once

#include "core/schema/model.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ms::core {

struct GenerateOptions {
    bool online = true;
    // Objects renamed rather than dropped and added: old identity -> new identity, of a
    // table ("app.t") or a column ("app.t.c"), in the up direction.
    std::vector<std::pair<std::string, std::string>> renames;
    // Named in both scripts' header: where the desired schema came from, and its hash.
    std::string source;
    std::string source_hash;
    // SET lock_timeout at the head of each script; empty: none.
    std::string lock_timeout = "5s";
    // What a table's owner holds by default, in the server's ACL letters: a grant list equal
    // to it needs no statement. 17 added MAINTAIN (m).
    std::string table_owner_privileges = "arwdDxt";
};

struct GeneratedMigration {
    std::string up;
    std::string down;
    // One line per hazard: destructive drops, rewrites, what fails on existing rows. Those
    // of the down script start with "down: ".
    std::vector<std::string> hazards;
    // What a script needs but the generator does not write, with why; "down: " likewise.
    std::vector<std::string> not_generated;
    // True when the schemas are equal: the scripts then hold only their headers.
    bool empty = true;
};

GeneratedMigration generate_migration(const SchemaModel& live, const SchemaModel& desired,
                                      const GenerateOptions& options = {});

// One direction only: the statements (each ending with ';', comments above them) that turn
// `from` into `to`. The renames (old -> new) are those of the up direction; undo_renames
// runs them backwards (the down script, where `to` holds the old names).
struct DirectionScript {
    std::vector<std::string> statements;
    std::vector<std::string> hazards;
    std::vector<std::string> not_generated;
};

DirectionScript write_direction(const SchemaModel& from, const SchemaModel& to, bool online,
                                const std::vector<std::pair<std::string, std::string>>& renames,
                                bool undo_renames = false,
                                const std::string& table_owner_privileges = "arwdDxt");

}  // namespace ms::core
