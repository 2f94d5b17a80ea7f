// Connection strings as users write them: shown only with their secrets masked, checked
// before use, and read from a fleet's list.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::cli {

// The connection string as it may be shown: passwords, sslpasswords and values of unknown
// keywords masked by the grammar (core/client/conninfo), never by searching for the password.
std::string mask_dsn(const std::string& dsn);

// A command-line argument as it may be echoed in a message: masked when it looks like a
// connection string (given where a folder or number was expected).
std::string shown_argument(const std::string& argument);

// Why libpq cannot use the string, or would read it differently from its writer, with
// every fragment of it masked; nullopt when it is fine to connect with.
std::optional<std::string> dsn_problem(const std::string& dsn);

struct DsnLine {
    std::string dsn;
    int line;
};

// One connection string per line; blank lines and lines starting with # are skipped.
// Throws UsageError when the file cannot be read, lists nothing, or lists the same string
// twice (naming both lines). For a command that writes (`writes`), one
// database written two ways (keywords in another order, other options, a URI, another
// role, or the user and database left to their defaults) is twice.
std::vector<DsnLine> read_dsn_file(const std::string& path, bool writes);

}  // namespace ms::cli
