#include "pg/registry/registration.hpp"

#include "core/base/control_characters.hpp"
#include "core/base/failure.hpp"
#include "core/plan/script.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "mb/pg_wchar.h"
}

#include <boost/algorithm/string/trim.hpp>

namespace ms::pg {

namespace {

constexpr std::size_t max_name_length = 200;

// Text from files reaches the catalog as it was read: bytes the database encoding does not
// allow would break every later fingerprint and make a dump unrestorable.
void require_valid_text(const core::Version& version, const char* what, const std::string& text) {
    const int valid = pg_call([&] {
        return pg_encoding_verifymbstr(GetDatabaseEncoding(), text.data(),
                                       static_cast<int>(text.size()));
    });
    if (static_cast<std::size_t>(valid) == text.size())
        return;
    const bool nul = text[static_cast<std::size_t>(valid)] == '\0';
    throw core::Failure(core::FailureKind::BadText,
                        std::string(what) + " of migration " + version.text() +
                            (nul ? " contains a NUL byte"
                                 : std::string(" is not valid ") +
                                       pg_call([] { return GetDatabaseEncodingName(); })),
                        "At line " +
                            std::to_string(core::line_at(text, static_cast<std::size_t>(valid))) +
                            ".",
                        "Save the script as text in the database's encoding.");
}

}  // namespace

void validate_content(const core::Version& version, const MigrationContent& content) {
    require_valid_text(version, "the name", content.name);
    require_valid_text(version, "the up script", content.up_sql);
    if (content.down_sql)
        require_valid_text(version, "the down script", *content.down_sql);
    if (content.verify_sql)
        require_valid_text(version, "the verify script", *content.verify_sql);
    const auto name = boost::algorithm::trim_copy(content.name);
    if (name.empty() || content.name.size() > max_name_length)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "invalid name for migration " + version.text(),
                            "A migration name has 1 to " + std::to_string(max_name_length) +
                                " characters and is not blank.");
    core::refuse_control_characters("the name of migration " + version.text(), content.name);
}

const char* outcome_name(RegisterOutcome outcome) noexcept {
    switch (outcome) {
    case RegisterOutcome::New: return "registered";
    case RegisterOutcome::Changed: return "updated";
    case RegisterOutcome::Unchanged: return "unchanged";
    }
    return "unchanged";
}

}  // namespace ms::pg
