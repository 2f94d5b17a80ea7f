// plan_import over a fixed small project and records the input describes. The first line
// names the source (an unknown name picks one from its bytes); every further line is one
// record: an optional status mark ('!' failed, '?' dirty, '~' undone), the key, and
// optionally a tab and the alternate.
#include "check.hpp"

#include "core/base/failure.hpp"
#include "core/base/version.hpp"
#include "core/folder/import.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using ms::core::Applied;
using ms::core::Failure;
using ms::core::FailureKind;
using ms::core::ForeignRecord;
using ms::core::ImportLine;
using ms::core::ImportOutcome;
using ms::core::ImportSource;
using ms::core::parse_import_source;
using ms::core::plan_import;
using ms::core::Registered;
using ms::core::Version;

namespace {

using Status = ForeignRecord::Status;

const std::vector<Registered> registered = {
    {"1", "create_users", "s1", true},
    {"002", "add_email", "s2", true},
    {"1.2", "flyway_style", "s12", false},
    {"10", "add_index", "s10", true},
    {"20190226002946", "create_user", "sd", true},
    {"1700000000000", "CreateOrders", "st", false},
};
// Applied under other spellings, so that matching must go through canonical versions.
const std::vector<Applied> applied = {{"2", "s2"}, {"010", "s10"}};

constexpr std::array<ImportSource, 8> sources = {
    ImportSource::Flyway,  ImportSource::GolangMigrate, ImportSource::Dbmate,
    ImportSource::NodePgMigrate, ImportSource::TypeOrm, ImportSource::Sqitch,
    ImportSource::Liquibase, ImportSource::SchemaMigrations};

std::optional<Version> as_version(const std::string& text) {
    try {
        return Version::parse(text);
    } catch (const Failure& e) {
        FUZZ_CHECK(e.kind() == FailureKind::InvalidValue);
        return std::nullopt;
    }
}

const Registered* registered_as(const std::string& spelling) {
    for (const auto& r : registered)
        if (r.version == spelling)
            return &r;
    return nullptr;
}

bool is_applied(const Version& v) {
    for (const auto& a : applied)
        if (Version::parse(a.version) == v)
            return true;
    return false;
}

ImportSource source_of(std::string_view line) {
    try {
        return parse_import_source(line);
    } catch (const Failure& e) {
        FUZZ_CHECK(e.kind() == FailureKind::InvalidValue);
        FUZZ_CHECK(!e.hint().empty());
    }
    unsigned sum = 0;
    for (const unsigned char c : line)
        sum += c;
    return sources[sum % sources.size()];
}

ForeignRecord record_of(std::string_view line) {
    ForeignRecord r;
    if (!line.empty()) {
        switch (line.front()) {
        case '!': r.status = Status::Failed; break;
        case '?': r.status = Status::Dirty; break;
        case '~': r.status = Status::Undone; break;
        default: break;
        }
        if (r.status != Status::Applied)
            line.remove_prefix(1);
    }
    const auto tab = line.find('\t');
    r.key = std::string(line.substr(0, tab));
    if (tab != std::string_view::npos)
        r.alternate = std::string(line.substr(tab + 1));
    return r;
}

bool same(const std::vector<ImportLine>& a, const std::vector<ImportLine>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].source_key != b[i].source_key || a[i].version != b[i].version ||
            a[i].name != b[i].name || a[i].outcome != b[i].outcome)
            return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto newline = input.find('\n');
    const ImportSource source = source_of(input.substr(0, newline));
    std::vector<ForeignRecord> records;
    while (newline != std::string_view::npos) {
        const auto start = newline + 1;
        newline = input.find('\n', start);
        records.push_back(record_of(input.substr(
            start, newline == std::string_view::npos ? std::string_view::npos : newline - start)));
    }

    bool refused = false;
    for (const auto& r : records)
        refused = refused || r.status == Status::Failed || r.status == Status::Dirty;

    std::vector<ImportLine> lines;
    try {
        lines = plan_import(source, records, registered, applied);
    } catch (const Failure& e) {
        // Anything but a Failure escapes and crashes the target.
        FUZZ_CHECK(e.kind() == FailureKind::Conflict);
        FUZZ_CHECK(refused);
        return 0;
    }
    FUZZ_CHECK(!refused);
    FUZZ_CHECK(same(lines, plan_import(source, records, registered, applied)));

    // What the other tool still considers applied: the last record of each key (with its
    // alternate) that was not undone.
    std::map<std::pair<std::string, std::string>, Status> last;
    for (const auto& r : records)
        last[{r.key, r.alternate}] = r.status;
    std::set<std::string> live_keys;
    std::size_t live = 0;
    for (const auto& [id, status] : last)
        if (status != Status::Undone) {
            live_keys.insert(id.first);
            ++live;
        }

    std::optional<Version> previous;
    bool unmatched_seen = false;
    std::size_t unmatched = 0;
    std::set<std::string> matched_canonical;
    for (const auto& line : lines) {
        FUZZ_CHECK(live_keys.count(line.source_key) == 1);
        if (!line.version) {
            // Matched lines first, then what matched nothing.
            unmatched_seen = true;
            ++unmatched;
            FUZZ_CHECK(line.outcome == ImportOutcome::NotRegistered);
            FUZZ_CHECK(line.name.empty());
            continue;
        }
        FUZZ_CHECK(!unmatched_seen);
        const Registered* r = registered_as(*line.version);
        FUZZ_CHECK(r != nullptr);
        FUZZ_CHECK(line.name == r->name);
        const Version v = Version::parse(*line.version);
        // Sorted, and one line per version.
        FUZZ_CHECK(!previous || *previous < v);
        previous = v;
        matched_canonical.insert(v.canonical());
        FUZZ_CHECK(line.outcome ==
                   (is_applied(v) ? ImportOutcome::AlreadyApplied : ImportOutcome::Imported));
    }
    FUZZ_CHECK(unmatched <= live);

    // A live key that is exactly a registered version, or a registered name, is imported
    // (Liquibase goes by the file name first, so only when the record has no alternate).
    for (const auto& [id, status] : last) {
        if (status == Status::Undone)
            continue;
        if (source == ImportSource::Liquibase && !id.second.empty())
            continue;
        for (const auto& reg : registered)
            if (reg.name == id.first)
                FUZZ_CHECK(matched_canonical.count(Version::parse(reg.version).canonical()) == 1);
        const auto v = as_version(id.first);
        if (!v)
            continue;
        for (const auto& reg : registered) {
            const Version rv = Version::parse(reg.version);
            if (rv == *v)
                FUZZ_CHECK(matched_canonical.count(rv.canonical()) == 1);
            // golang-migrate's one row means everything up to it is applied.
            if (source == ImportSource::GolangMigrate && !(*v < rv))
                FUZZ_CHECK(matched_canonical.count(rv.canonical()) == 1);
        }
    }
    return 0;
}
