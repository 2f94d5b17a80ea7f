#include "pg/parse/lexing_settings.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace ms::pg {

namespace {

std::string setting(const char* name) {
    const char* value = pg_call([&] { return GetConfigOption(name, false, false); });
    return value != nullptr ? value : "";
}

}  // namespace

LexingSettings current_lexing_settings() {
    return {setting("standard_conforming_strings"), setting("backslash_quote")};
}

std::string changed_lexing_setting(const LexingSettings& before, const LexingSettings& now) {
    if (before.standard_conforming_strings != now.standard_conforming_strings)
        return "standard_conforming_strings";
    if (before.backslash_quote != now.backslash_quote)
        return "backslash_quote";
    return {};
}

}  // namespace ms::pg
