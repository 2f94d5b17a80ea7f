#include "core/layout.hpp"

#include "core/failure.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/replace.hpp>

#include <algorithm>
#include <map>
#include <regex>

#include "core/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

const std::string rollback_dir = "rollback/";

// Order matters: the suffixed forms first, so "1_a.up.sql" is not read as plain "1_a.up".
const std::regex suffixed(R"(V?([0-9]+(?:\.[0-9]+)*)[._](.+)\.(up|down)\.sql)",
                          std::regex::icase);
const std::regex flyway(R"(([VU])([0-9]+(?:[._][0-9]+)*)__(.+)\.sql)", std::regex::icase);
const std::regex plain(R"(([0-9]+)(?:[_-](.+))?\.sql)", std::regex::icase);
const std::regex rollback_file(R"(([0-9]+)(?:[_-](.+))?\.sql)", std::regex::icase);

// File systems cap names at 255 bytes; std::regex recurses per character, so nothing
// longer may reach it.
constexpr std::size_t max_file_name = 255;

Failure unrecognised(std::string_view path) {
    return Failure(FailureKind::Layout,
                   "file \"" + std::string(path) + "\" does not follow a known migration layout",
                   {},
                   "Name migrations NNN_name.sql (down scripts in rollback/NNN_name.sql), "
                   "NNN_name.up.sql / NNN_name.down.sql, or V1__name.sql / U1__name.sql.");
}

}  // namespace

std::optional<MigrationFile> classify_path(std::string_view relative_path) {
    const std::string path(relative_path);
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);

    if (base.empty() || base.front() == '.' || !boost::algorithm::iends_with(base, ".sql"))
        return std::nullopt;
    if (!dir.empty() && dir != rollback_dir)
        return std::nullopt;
    if (base.size() > max_file_name)
        throw unrecognised(path);

    std::smatch m;
    if (dir == rollback_dir) {
        if (!std::regex_match(base, m, rollback_file))
            throw unrecognised(path);
        return MigrationFile{path, m[1], m[2], Direction::Down};
    }
    if (std::regex_match(base, m, suffixed)) {
        const auto dir_word = m[3].str();
        return MigrationFile{path, m[1], m[2],
                             boost::algorithm::iequals(dir_word, "up") ? Direction::Up
                                                                       : Direction::Down};
    }
    if (std::regex_match(base, m, flyway)) {
        auto version = m[2].str();
        boost::algorithm::replace_all(version, "_", ".");
        return MigrationFile{path, version, m[3],
                             boost::algorithm::iequals(m[1].str(), "V") ? Direction::Up
                                                                         : Direction::Down};
    }
    if (std::regex_match(base, m, plain))
        return MigrationFile{path, m[1], m[2], Direction::Up};
    throw unrecognised(path);
}

std::vector<MigrationPair> pair_files(const std::vector<MigrationFile>& files) {
    struct Slot {
        std::optional<Version> version;
        const MigrationFile* up = nullptr;
        const MigrationFile* down = nullptr;
    };
    std::map<std::string, Slot> by_canonical;

    for (const auto& f : files) {
        const Version v = Version::parse(f.version);
        Slot& slot = by_canonical[v.canonical()];
        const MigrationFile*& place = f.direction == Direction::Up ? slot.up : slot.down;
        if (place != nullptr) {
            const char* what = f.direction == Direction::Up ? "up" : "down";
            throw Failure(FailureKind::Duplicate,
                          std::string("two ") + what + " scripts for migration version " +
                              v.canonical(),
                          "Files \"" + place->path + "\" and \"" + f.path + "\".",
                          "Each version has one up script and at most one down script; "
                          "renumber or remove one of them.");
        }
        place = &f;
        if (f.direction == Direction::Up || !slot.version)
            slot.version = v;
    }

    std::vector<MigrationPair> pairs;
    pairs.reserve(by_canonical.size());
    for (auto& [canonical, slot] : by_canonical) {
        if (slot.up == nullptr)
            throw Failure(FailureKind::Layout,
                          "down script \"" + slot.down->path + "\" has no up script",
                          "No up script has version " + canonical + ".",
                          "Add the up script or remove the down script.");
        std::optional<std::string> down;
        if (slot.down != nullptr)
            down = slot.down->path;
        std::string name = slot.up->name.empty() ? slot.up->version : slot.up->name;
        pairs.push_back(MigrationPair{*slot.version, std::move(name), slot.up->path,
                                      std::move(down)});
    }
    std::sort(pairs.begin(), pairs.end(),
              [](const MigrationPair& a, const MigrationPair& b) { return a.version < b.version; });
    return pairs;
}

}  // namespace ms::core
