// SHA-256 of a migration's scripts (core::checksum_input), as lowercase hex.
#pragma once

#include <optional>
#include <string>

namespace ms::pg {

std::string migration_checksum(const std::string& up, const std::optional<std::string>& down,
                               const std::optional<std::string>& verify);

}  // namespace ms::pg
