#include "core/plan/validation.hpp"

#include <algorithm>
#include <map>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

const char* severity_name(Severity s) noexcept {
    return s == Severity::Error ? "error" : "warning";
}

std::vector<Problem> validate(const std::vector<Registered>& registered,
                              const std::vector<Applied>& applied,
                              const std::vector<std::string>& failed, bool require_down,
                              bool forward_only) {
    std::vector<Problem> problems;

    // Spellings first: two applied rows for one version, or an applied spelling that
    // differs from the registered one (imports and baselines take versions from outside).
    std::map<std::string, std::string> registered_spelling;
    for (const auto& r : registered)
        registered_spelling.emplace(Version::parse(r.version).canonical(), r.version);
    std::map<std::string, std::string> applied_spelling;
    for (const auto& a : applied) {
        const auto canonical = Version::parse(a.version).canonical();
        const auto [it, fresh] = applied_spelling.emplace(canonical, a.version);
        if (!fresh)
            problems.push_back({Severity::Error, a.version, "duplicate_version",
                                "Version " + canonical + " is recorded as applied twice, as " +
                                    it->second + " and " + a.version + ".",
                                "Keep one spelling; a version means one migration."});
        const auto reg = registered_spelling.find(canonical);
        if (reg != registered_spelling.end() && reg->second != a.version)
            problems.push_back({Severity::Warning, a.version, "version_spelling",
                                "Applied as " + a.version + " but registered as " + reg->second +
                                    ".",
                                "Both mean version " + canonical + "; register it as " +
                                    a.version + " to keep one spelling."});
    }

    const auto all = migration_states(registered, applied, failed);
    const Migration* newest_applied = nullptr;
    for (const auto& m : all)
        if (is_applied(m.state))
            newest_applied = &m;

    for (const auto& m : all) {
        const std::string& v = m.version.text();
        switch (m.state) {
        case State::Modified:
            problems.push_back({Severity::Error, v, "modified",
                                "The up script of " + v + " changed after it was applied.",
                                "Register the script as it was applied, or accept the change "
                                "with migrate_repair()."});
            break;
        case State::Missing:
            problems.push_back({Severity::Warning, v, "missing",
                                "Version " + v + " is applied but no longer registered.",
                                "Register its script again so it can be rolled back and "
                                "checked."});
            break;
        case State::Failed:
            problems.push_back({Severity::Error, v, "failed",
                                "An attempt to apply " + v + " failed and is still on record.",
                                "Fix the script and apply again, or clear the failure with "
                                "migrate_repair()."});
            break;
        default:
            break;
        }
        if (!is_applied(m.state) && newest_applied != nullptr &&
            m.version < newest_applied->version)
            problems.push_back({Severity::Error, v, "out_of_order",
                                "Pending migration " + v + " is ordered before applied migration " +
                                    newest_applied->version.text() + ".",
                                "Renumber it after " + newest_applied->version.text() +
                                    ", or apply it with out_of_order => true."});
        if (!forward_only && is_applied(m.state) && m.state != State::Missing && !m.has_down)
            problems.push_back({Severity::Warning, v, "no_down_script",
                                "Applied migration " + v + " has no down script.",
                                "Without one it cannot be rolled back."});
        if (!forward_only && require_down && !is_applied(m.state) && !m.has_down)
            problems.push_back({Severity::Error, v, "down_script_required",
                                "Pending migration " + v + " has no down script.",
                                "migrations_schema.require_down is on: register a down script "
                                "with it."});
    }
    // Spelling problems were found first; report everything in version order.
    std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
        return Version::parse(a.version) < Version::parse(b.version);
    });
    return problems;
}

}  // namespace ms::core
