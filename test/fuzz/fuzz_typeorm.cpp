// The TypeORM reader on arbitrary bytes: it never crashes or loops, every problem has a line
// within the input, and converted SQL ends its statements.
#include "check.hpp"

#include "core/client/typeorm.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto c = ms::core::convert_typeorm(input, "1700000000000-x.ts");
    const auto lines = static_cast<int>(std::count(input.begin(), input.end(), '\n')) + 1;
    for (const auto& p : c.problems) {
        FUZZ_CHECK(p.line >= 1 && p.line <= lines);
        FUZZ_CHECK(!p.what.empty());
    }
    if (c.migration && c.problems.empty()) {
        for (const std::string* sql : {&c.migration->up_sql, &c.migration->down_sql})
            FUZZ_CHECK(sql->empty() || sql->back() == '\n');
    }
    return 0;
}
