// Names, projects, versions and labels are shown on terminals, in logs and in generated
// scripts: a control character in one (ESC [ 31 m, a carriage return over a line, a newline
// ending a comment) would change what a reader sees or what a script says. They are refused
// where they enter, and a refusal shows the text with its control characters escaped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ms::core {

// The byte offset of the first control character (C0, DEL, or C1 spelled in UTF-8), or
// nullopt when there is none.
std::optional<std::size_t> control_character_at(std::string_view text) noexcept;

// The text with each control character written as \xNN (C1: \u0080 ... \u009f), the rest
// as it is: safe in a message.
std::string with_controls_escaped(std::string_view text);

// Throws Failure(InvalidValue) naming `what` ("project name", "name of migration 3") and the
// character, when `text` holds one.
void refuse_control_characters(const std::string& what, std::string_view text);

}  // namespace ms::core
