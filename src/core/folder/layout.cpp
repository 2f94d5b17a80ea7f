#include "core/folder/layout.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/erase.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/replace.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <regex>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

const std::string rollback_dir = "rollback/";
const std::string verify_dir = "verify/";

// Compiled on first use, not when the library loads: every backend that loads it for an
// unrelated call would otherwise pay for six case-insensitive regexes.
struct Patterns {
    // Order matters: the suffixed forms first, so "1_a.up.sql" is not read as plain "1_a.up".
    std::regex suffixed{R"(V?([0-9]+(?:\.[0-9]+)*)[._](.+)\.(up|down|verify)\.sql)",
                        std::regex::icase};
    // Diesel: one folder per migration, "2019-02-26-002946_create_user/up.sql". The version
    // is the timestamp without dashes, as Diesel records it.
    std::regex migration_folder{R"(([0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}|[0-9]+)_(.+)/)"};
    std::regex folder_script{R"((up|down|verify)\.sql)", std::regex::icase};
    std::regex flyway{R"(([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql)", std::regex::icase};
    // A point release between two numbered migrations ("013.1_fix.sql" after 013) keeps the
    // numbered layout: versions order 1.9 < 1.10 anyway.
    std::regex plain{R"(([0-9]+(?:\.[0-9]+)*)(?:[_-](.+))?\.sql)", std::regex::icase};
    std::regex rollback_file{R"(([0-9]+(?:\.[0-9]+)*)(?:[_-](.+))?\.sql)", std::regex::icase};
};

const Patterns& patterns() {
    static const Patterns p;
    return p;
}

// File systems cap names at 255 bytes; std::regex recurses per character, so nothing
// longer may reach it.
constexpr std::size_t max_file_name = 255;

Failure unrecognised(std::string_view path) {
    return Failure(FailureKind::Layout,
                   "file \"" + std::string(path) + "\" does not follow a known migration layout",
                   {},
                   "Name migrations NNN_name.sql (down scripts in rollback/NNN_name.sql), "
                   "NNN_name.up.sql / NNN_name.down.sql, V1__name.sql / U1__name.sql, or "
                   "NNN_name/up.sql / NNN_name/down.sql.");
}

Direction direction_of(const std::string& word) {
    if (boost::algorithm::iequals(word, "up"))
        return Direction::Up;
    return boost::algorithm::iequals(word, "down") ? Direction::Down : Direction::Verify;
}

}  // namespace

std::optional<MigrationFile> classify_path(std::string_view relative_path) {
    const std::string path(relative_path);
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);

    if (base.empty() || base.front() == '.' || !boost::algorithm::iends_with(base, ".sql"))
        return std::nullopt;
    if (base.size() > max_file_name || dir.size() > max_file_name + 1)
        throw unrecognised(path);

    std::smatch m;
    // Rollback/ and ROLLBACK/ are seen in real projects too; ignoring them would lose the
    // down scripts without a word.
    const bool is_rollback = boost::algorithm::iequals(dir, rollback_dir);
    if (is_rollback || boost::algorithm::iequals(dir, verify_dir)) {
        if (!std::regex_match(base, m, patterns().rollback_file))
            throw unrecognised(path);
        return MigrationFile{path, m[1], m[2], is_rollback ? Direction::Down : Direction::Verify};
    }
    if (!dir.empty()) {
        std::smatch d;
        if (dir.find('/') != dir.size() - 1 ||
            !std::regex_match(dir, d, patterns().migration_folder))
            return std::nullopt;  // a folder of something else: seeds, docs, tooling
        if (!std::regex_match(base, m, patterns().folder_script))
            return std::nullopt;
        auto version = d[1].str();
        boost::algorithm::erase_all(version, "-");
        return MigrationFile{path, version, d[2], direction_of(m[1].str())};
    }
    if (std::regex_match(base, m, patterns().suffixed))
        return MigrationFile{path, m[1], m[2], direction_of(m[3].str())};
    if (std::regex_match(base, m, patterns().flyway)) {
        auto version = m[2].str();
        boost::algorithm::replace_all(version, "_", ".");
        return MigrationFile{path, version, m[3],
                             boost::algorithm::iequals(m[1].str(), "V") ? Direction::Up
                                                                         : Direction::Down};
    }
    if (std::regex_match(base, m, patterns().plain))
        return MigrationFile{path, m[1], m[2], Direction::Up};
    throw unrecognised(path);
}

std::vector<MigrationPair> pair_files(const std::vector<MigrationFile>& files) {
    struct Slot {
        std::optional<Version> version;
        std::array<const MigrationFile*, 3> script{};  // indexed by Direction
    };
    static const char* const direction_word[] = {"up", "down", "verify"};
    std::map<std::string, Slot> by_canonical;

    for (const auto& f : files) {
        const Version v = Version::parse(f.version);
        Slot& slot = by_canonical[v.canonical()];
        const auto d = static_cast<std::size_t>(f.direction);
        if (slot.script[d] != nullptr)
            throw Failure(FailureKind::Duplicate,
                          std::string("two ") + direction_word[d] +
                              " scripts for migration version " + v.canonical(),
                          "Files \"" + slot.script[d]->path + "\" and \"" + f.path + "\".",
                          "Each version has one up script and at most one down and one verify "
                          "script; renumber or remove one of them.");
        slot.script[d] = &f;
        if (f.direction == Direction::Up || !slot.version)
            slot.version = v;
    }

    std::vector<MigrationPair> pairs;
    pairs.reserve(by_canonical.size());
    for (auto& [canonical, slot] : by_canonical) {
        const MigrationFile* up = slot.script[static_cast<std::size_t>(Direction::Up)];
        const MigrationFile* down = slot.script[static_cast<std::size_t>(Direction::Down)];
        const MigrationFile* verify = slot.script[static_cast<std::size_t>(Direction::Verify)];
        if (up == nullptr) {
            const MigrationFile* orphan = down != nullptr ? down : verify;
            throw Failure(FailureKind::Layout,
                          std::string(down != nullptr ? "down" : "verify") + " script \"" +
                              orphan->path + "\" has no up script",
                          "No up script has version " + canonical + ".",
                          "Add the up script or remove this one.");
        }
        MigrationPair pair{*slot.version, up->name.empty() ? up->version : up->name, up->path,
                           std::nullopt, std::nullopt};
        if (down != nullptr)
            pair.down_path = down->path;
        if (verify != nullptr)
            pair.verify_path = verify->path;
        pairs.push_back(std::move(pair));
    }
    std::sort(pairs.begin(), pairs.end(),
              [](const MigrationPair& a, const MigrationPair& b) { return a.version < b.version; });
    return pairs;
}

}  // namespace ms::core
