// Masking connection strings on arbitrary bytes. The input is a connection string the
// fuzzer steers; a password made of a marker no input can contain is appended in every
// spelling libpq accepts, and must never survive masking, whatever came before it.
#include "check.hpp"

#include "core/client/conninfo.hpp"
#include "core/client/terminal_text.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

bool known(std::string_view k) {
    return k == "host" || k == "port" || k == "dbname" || k == "user" || k == "password" ||
           k == "sslpassword" || k == "sslmode";
}

// Bytes outside what the replay driver and libFuzzer mutate towards are still possible in
// the input, so the marker is checked against it and the case skipped when it occurs.
constexpr std::string_view secret = "Zq7Secret7qZ";

void check_masked(const std::string& dsn) {
    const std::string out = ms::core::mask_conninfo(dsn, known);
    FUZZ_CHECK(out.find(secret) == std::string::npos);
    FUZZ_CHECK(ms::core::mask_conninfo_message("bad \"" + std::string(secret) + "\"", dsn, known)
                   .find(secret) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    (void)ms::core::mask_conninfo(input, known);
    (void)ms::core::ambiguous_conninfo(input);
    (void)ms::core::display_width(input);
    const std::string printable = ms::core::escape_controls(input);
    FUZZ_CHECK(ms::core::escape_controls(printable) == printable);
    const std::string utf8 = ms::core::valid_utf8(input);
    FUZZ_CHECK(ms::core::valid_utf8(utf8) == utf8);
    if (input.find(secret) != std::string::npos) return 0;

    const std::string s(secret);
    if (ms::core::is_conninfo_uri(input)) {
        check_masked(input + (input.find('?') == std::string::npos ? "?" : "&") + "password=" + s);
        check_masked("postgresql://u:" + s + "@" + input.substr(input.find("//") + 2));
    } else if (input.empty() || input.back() != '\\') {
        // (After a trailing backslash the blank is escaped: libpq reads " password=..." as
        // part of the previous value, not as a password.)
        check_masked(input + " password=" + s);
        check_masked(input + " password='" + s + "'");
        check_masked(input + " sslpassword = " + s);
    }
    return 0;
}
