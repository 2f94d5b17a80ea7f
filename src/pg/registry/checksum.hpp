// SHA-256 of a script with its line endings normalised, as lowercase hex.
#pragma once

#include <string>

namespace ms::pg {

std::string script_checksum(const std::string& script);

}  // namespace ms::pg
