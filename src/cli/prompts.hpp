// Questions asked at the terminal: a confirmation before down scripts that drop data, and a
// password the server wants. Both read from the terminal itself and treat Ctrl-C as no.
#pragma once

#include "cli/table.hpp"

#include <optional>
#include <string>

namespace ms::cli {

// The rows are (version, name, statement) of the statements that drop data.
bool ask_before_dropping(const Table& destructive);

// "Password: " on the terminal, without echo; nullopt without a terminal or on Ctrl-C.
std::optional<std::string> ask_password();

}  // namespace ms::cli
