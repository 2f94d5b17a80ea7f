// The settings that change how the server's lexer reads SQL text: with
// standard_conforming_strings off, 'x\'' is one string; on, it is a string and the start of
// another. A script is split (and linted) once, before it runs, with the settings of that
// moment; each statement is then parsed again as it runs. A script that changes them would
// run statements other than those that were split, linted and shown.
#pragma once

#include <string>

namespace ms::pg {

struct LexingSettings {
    std::string standard_conforming_strings;
    std::string backslash_quote;

    bool operator==(const LexingSettings& other) const {
        return standard_conforming_strings == other.standard_conforming_strings &&
               backslash_quote == other.backslash_quote;
    }
    bool operator!=(const LexingSettings& other) const { return !(*this == other); }
};

LexingSettings current_lexing_settings();

// "standard_conforming_strings" or "backslash_quote": the first that differs; empty if none.
std::string changed_lexing_setting(const LexingSettings& before, const LexingSettings& now);

}  // namespace ms::pg
