// migrate_load_dir's registration of a whole folder with few statements: what the project
// has registered is read once, new migrations are inserted many to a statement and their
// history rows likewise. The outcome, the rows and the history (order, times, ids) are those
// of register_migration called for each migration in the folder's order; anything but a
// new or unchanged migration (an update, another spelling of a registered version) and any
// script too large to be held twice goes through register_migration itself, after what is
// pending has been written. Every call must run inside an InternalScope.
#pragma once

#include "pg/registry/registry.hpp"
#include "pg/registry/run_record.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

class FolderRegistration {
public:
    FolderRegistration(std::string project, std::string caller);

    // Takes the scripts of `content`, as register_migration does.
    RegisterOutcome add(const core::Version& version, MigrationContent& content);
    // Writes what is pending; call it before anything else reads the registry.
    void finish();

private:
    struct Registered {
        std::string version;
        std::string name;
        std::string checksum;
        std::optional<std::string> down_sql;
        std::optional<std::string> verify_sql;
        // Registered by this call: what the map holds of it is not the row (a repeat in
        // the folder goes through register_migration).
        bool added = false;
    };
    struct NewRows {
        std::vector<std::optional<std::string>> version, canonical, sort_key, name, up_sql,
            down_sql, verify_sql, checksum;
        std::size_t bytes = 0;
    };

    void flush();

    std::string project_;
    std::string caller_;
    std::map<std::string, Registered> by_canonical_;
    NewRows new_;
    RunRecord history_;
};

}  // namespace ms::pg
