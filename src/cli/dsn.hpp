// Connection strings as users write them: masking their passwords before anything echoes
// them, and reading a fleet's list of them.
#pragma once

#include <string>
#include <vector>

namespace ms::cli {

// The connection string with every password replaced by "***": the value of a password
// keyword, the password of a URI's user info, and a URI's password query parameter.
// Never fails; a malformed string is masked as far as it can be read.
std::string mask_dsn(const std::string& dsn);

// Every spelling of the string's passwords (as written, and as libpq decodes it), so that
// a message that quotes one can be scrubbed with redact().
std::vector<std::string> passwords_in(const std::string& dsn);

std::string redact(std::string message, const std::vector<std::string>& secrets);

// One connection string per line; blank lines and lines starting with # are skipped.
// Throws UsageError when the file cannot be read or lists nothing.
std::vector<std::string> read_dsn_file(const std::string& path);

}  // namespace ms::cli
