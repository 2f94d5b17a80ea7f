// classify_path and pair_files on a folder listing: one relative path per input line.
#include "check.hpp"

#include "core/failure.hpp"
#include "core/layout.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using ms::core::classify_path;
using ms::core::Direction;
using ms::core::Failure;
using ms::core::MigrationFile;
using ms::core::pair_files;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<MigrationFile> files;
    std::set<std::string> up_paths;
    std::set<std::string> down_paths;
    std::size_t start = 0;
    while (start <= input.size()) {
        auto end = input.find('\n', start);
        if (end == std::string_view::npos)
            end = input.size();
        const auto path = input.substr(start, end - start);
        start = end + 1;
        try {
            if (auto file = classify_path(path)) {
                FUZZ_CHECK(file->path == path);
                FUZZ_CHECK(!file->version.empty());
                (file->direction == Direction::Up ? up_paths : down_paths).insert(file->path);
                files.push_back(std::move(*file));
            }
        } catch (const Failure&) {
            // A misspelt script is refused, which is the point; anything else escapes.
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
            FUZZ_CHECK(up_paths.count(p.up_path) == 1);
            FUZZ_CHECK(!p.down_path || down_paths.count(*p.down_path) == 1);
            FUZZ_CHECK(!p.name.empty());
        }
        // Every up script is in exactly one pair, since duplicates throw.
        std::size_t ups = 0;
        for (const auto& f : files)
            ups += f.direction == Direction::Up;
        FUZZ_CHECK(ups == pairs.size());
    } catch (const Failure&) {
    }
    return 0;
}
