// The SQL each command sends: the extension's function with named arguments for exactly the
// options given, so that everything else keeps the SQL default.
#pragma once

#include "cli/connection.hpp"
#include "cli/options.hpp"

#include <string>

namespace ms::cli {

struct Call {
    std::string sql;
    Params params;
};

// schema: quoted, as Connection::extension_schema() returns it. Push has no call of its own.
Call build_call(const Options& options, const std::string& schema);

}  // namespace ms::cli
