// Version::parse on arbitrary bytes. The first half and the second half of the input are
// two candidate versions, so that ordering is checked on pairs the fuzzer steers.
#include "check.hpp"

#include "core/base/failure.hpp"
#include "core/base/version.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

using ms::core::Failure;
using ms::core::FailureKind;
using ms::core::Version;

namespace {

int sign(int x) {
    return (x > 0) - (x < 0);
}

std::optional<Version> parsed(std::string_view text) {
    try {
        return Version::parse(text);
    } catch (const Failure& e) {
        FUZZ_CHECK(e.kind() == FailureKind::InvalidValue);
        return std::nullopt;
    }
}

void check_one(const Version& v, std::string_view text) {
    FUZZ_CHECK(v.text() == text);
    // The canonical spelling must name the same version and be its own canonical form,
    // or "001" and "1" could end up registered twice.
    const Version again = Version::parse(v.canonical());
    FUZZ_CHECK(compare(v, again) == 0);
    FUZZ_CHECK(again.canonical() == v.canonical());
    FUZZ_CHECK(again.sort_key() == v.sort_key());
    FUZZ_CHECK(v.canonical().size() <= text.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto half = size / 2;
    const std::string_view first = input.substr(0, half);
    const std::string_view second = input.substr(half);

    const auto whole = parsed(input);
    if (whole)
        check_one(*whole, input);
    const auto a = parsed(first);
    const auto b = parsed(second);
    if (a)
        check_one(*a, first);
    if (b)
        check_one(*b, second);
    if (a && b) {
        const int order = sign(compare(*a, *b));
        FUZZ_CHECK(order == -sign(compare(*b, *a)));
        FUZZ_CHECK(order == sign(a->sort_key().compare(b->sort_key())));
        FUZZ_CHECK((order == 0) == (a->canonical() == b->canonical()));
        FUZZ_CHECK((*a < *b) == (order < 0));
        FUZZ_CHECK((*a == *b) == (order == 0));
    }
    return 0;
}
