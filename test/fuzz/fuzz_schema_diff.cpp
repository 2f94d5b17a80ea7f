// diff_schemas on attribute lists the fuzzer shapes: lines of "kind|object|attribute|value"
// split at a 0xff byte into a before and an after schema.
#include "check.hpp"

#include "core/schema/diff.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

using ms::core::diff_schemas;
using ms::core::SchemaAttribute;
using ms::core::SchemaChangeKind;

namespace {

std::vector<SchemaAttribute> parse(const std::string& text) {
    std::vector<SchemaAttribute> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        SchemaAttribute a;
        std::istringstream fields(line);
        std::getline(fields, a.kind, '|');
        std::getline(fields, a.object, '|');
        std::getline(fields, a.attribute, '|');
        std::getline(fields, a.value);
        out.push_back(a);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto split = input.find('\xff');
    const auto before = parse(input.substr(0, split));
    const auto after = parse(split == std::string::npos ? std::string() : input.substr(split + 1));

    FUZZ_CHECK(diff_schemas(before, before).empty());
    FUZZ_CHECK(diff_schemas(after, after).empty());
    const auto forward = diff_schemas(before, after);
    const auto backward = diff_schemas(after, before);
    // Every object differs in both directions alike: added one way is removed the other.
    FUZZ_CHECK(forward.size() == backward.size());
    std::set<std::tuple<std::string, std::string>> seen;
    for (std::size_t i = 0; i < forward.size(); ++i) {
        const auto& f = forward[i];
        const auto& b = backward[i];
        FUZZ_CHECK(f.kind == b.kind && f.object == b.object);
        FUZZ_CHECK((f.change == SchemaChangeKind::Added) == (b.change == SchemaChangeKind::Removed));
        FUZZ_CHECK((f.change == SchemaChangeKind::Changed) == (b.change == SchemaChangeKind::Changed));
        FUZZ_CHECK(seen.insert({f.kind, f.object}).second);  // one entry per object, sorted
        if (i > 0)
            FUZZ_CHECK(std::tie(forward[i - 1].kind, forward[i - 1].object) <
                       std::tie(f.kind, f.object));
    }
    const std::string json = ms::core::changes_json(forward, "down");
    FUZZ_CHECK(json.front() == '[' && json.back() == ']');
    for (const char c : json)
        FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);  // control characters are escaped
    return 0;
}
