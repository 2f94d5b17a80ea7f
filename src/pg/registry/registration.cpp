#include "pg/registry/registration.hpp"

#include "core/failure.hpp"

#include <boost/algorithm/string/trim.hpp>

namespace ms::pg {

namespace {

constexpr std::size_t max_name_length = 200;

}  // namespace

void validate_content(const core::Version& version, const MigrationContent& content) {
    const auto name = boost::algorithm::trim_copy(content.name);
    if (name.empty() || content.name.size() > max_name_length)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "invalid name for migration " + version.text(),
                            "A migration name has 1 to " + std::to_string(max_name_length) +
                                " characters and is not blank.");
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
