// The SQL each command sends: the extension's function with named arguments for exactly the
// options given, so that everything else keeps the SQL default.
#pragma once

#include "cli/connection.hpp"
#include "cli/options.hpp"

#include <string>
#include <vector>

namespace ms::cli {

struct Call {
    std::string sql;
    Params params;
};

// schema: quoted, as Connection::extension_schema() returns it. Push has no call of its own.
Call build_call(const Options& options, const std::string& schema);

// migrate_rollback_plan() with the rollback's own arguments: one (version, name, statement)
// row per statement of the down scripts that drops data.
Call build_rollback_plan_call(const Options& options, const std::string& schema);

// The migrations the command will run, as (version, name), for the live progress line:
// pending ones up to the target, or those a rollback plan lists.
Call build_pending_list(const Options& options, const std::string& schema);
Call build_rollback_plan_list(const Options& options, const std::string& schema);

// migrate_prune() keeping the folder's versions: (version, name) of each unregistered.
Call build_prune_call(const std::string& schema, const std::vector<std::string>& versions,
                      const std::string& project);

}  // namespace ms::cli
