// classify_path and pair_files on a folder listing: one relative path per input line.
// Every line that has no folder is also tried inside folders (verify/, rollback/ and as a
// migration's own folder), so that one-level paths are exercised on every input.
#include "check.hpp"

#include "core/base/failure.hpp"
#include "core/folder/layout.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using ms::core::classify_path;
using ms::core::Direction;
using ms::core::Failure;
using ms::core::FailureKind;
using ms::core::MigrationFile;
using ms::core::pair_files;

namespace {

bool digits_and_dots(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isdigit(c) != 0 || c == '.';
    });
}

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// classify_path with the invariants every answer must keep. A refused path must be a
// Layout failure; anything else thrown escapes and crashes the target.
std::optional<MigrationFile> classified(std::string_view path) {
    std::optional<MigrationFile> file;
    try {
        file = classify_path(path);
    } catch (const Failure& e) {
        FUZZ_CHECK(e.kind() == FailureKind::Layout);
        // Only script names are ever refused.
        FUZZ_CHECK(path.size() >= 4 && iequals(path.substr(path.size() - 4), ".sql"));
        return std::nullopt;
    }
    if (!file)
        return file;
    FUZZ_CHECK(file->path == path);
    FUZZ_CHECK(digits_and_dots(file->version));
    // File systems cap names at 255 bytes; longer ones never reach the regexes.
    const auto slash = path.rfind('/');
    FUZZ_CHECK(path.size() - (slash == std::string_view::npos ? 0 : slash + 1) <= 255);
    if (slash == std::string_view::npos)
        return file;

    // One folder level at most, and the folder decides what the script is.
    const std::string_view dir = path.substr(0, slash);
    const std::string_view base = path.substr(slash + 1);
    FUZZ_CHECK(dir.find('/') == std::string_view::npos);
    FUZZ_CHECK(dir.size() <= 255);
    if (iequals(dir, "rollback")) {  // the folder names match in any case
        FUZZ_CHECK(file->direction == Direction::Down);
        FUZZ_CHECK(digits_and_dots(file->version));  // point releases: 013.1
    } else if (iequals(dir, "verify")) {
        FUZZ_CHECK(file->direction == Direction::Verify);
        FUZZ_CHECK(digits_and_dots(file->version));
    } else {
        // A migration's own folder: up.sql, down.sql or verify.sql, named by the folder.
        static const std::array<std::pair<std::string_view, Direction>, 3> scripts{{
            {"up.sql", Direction::Up}, {"down.sql", Direction::Down},
            {"verify.sql", Direction::Verify}}};
        bool known = false;
        for (const auto& [name, direction] : scripts)
            if (iequals(base, name)) {
                FUZZ_CHECK(file->direction == direction);
                known = true;
            }
        FUZZ_CHECK(known);
        FUZZ_CHECK(all_digits(file->version));
        FUZZ_CHECK(!file->name.empty());
        FUZZ_CHECK(dir.size() > file->name.size());
        FUZZ_CHECK(dir.substr(dir.size() - file->name.size()) == file->name);
    }
    return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<MigrationFile> files;
    std::array<std::set<std::string>, 3> paths;  // by Direction
    std::size_t start = 0;
    while (start <= input.size()) {
        auto end = input.find('\n', start);
        if (end == std::string_view::npos)
            end = input.size();
        const auto path = input.substr(start, end - start);
        start = end + 1;
        if (auto file = classified(path)) {
            paths[static_cast<std::size_t>(file->direction)].insert(file->path);
            files.push_back(std::move(*file));
        }
        if (path.find('/') == std::string_view::npos) {
            // The same name one folder down, checked on its own (not paired: the copies
            // would only collide with the original as duplicates).
            const std::string name(path);
            classified("verify/" + name);
            classified("rollback/" + name);
            if (const auto in_folder = classified(name + "/up.sql"))
                FUZZ_CHECK(in_folder->direction == Direction::Up);
            classified(name + "/verify.sql");
        }
    }

    try {
        const auto pairs = pair_files(files);
        std::set<std::string> seen;
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            const auto& p = pairs[i];
            FUZZ_CHECK(seen.insert(p.version.canonical()).second);
            if (i > 0)
                FUZZ_CHECK(pairs[i - 1].version < p.version);
            FUZZ_CHECK(paths[static_cast<std::size_t>(Direction::Up)].count(p.up_path) == 1);
            FUZZ_CHECK(!p.down_path ||
                       paths[static_cast<std::size_t>(Direction::Down)].count(*p.down_path) == 1);
            FUZZ_CHECK(!p.verify_path ||
                       paths[static_cast<std::size_t>(Direction::Verify)].count(*p.verify_path) ==
                           1);
            FUZZ_CHECK(!p.name.empty());
        }
        // Every script is in exactly one pair, since duplicates and orphans throw.
        std::array<std::size_t, 3> scripts{};
        for (const auto& f : files)
            ++scripts[static_cast<std::size_t>(f.direction)];
        FUZZ_CHECK(scripts[static_cast<std::size_t>(Direction::Up)] == pairs.size());
        std::size_t downs = 0;
        std::size_t verifies = 0;
        for (const auto& p : pairs) {
            downs += p.down_path.has_value();
            verifies += p.verify_path.has_value();
        }
        FUZZ_CHECK(scripts[static_cast<std::size_t>(Direction::Down)] == downs);
        FUZZ_CHECK(scripts[static_cast<std::size_t>(Direction::Verify)] == verifies);
    } catch (const Failure&) {
    }
    return 0;
}
