// Migration versions: dotted sequences of decimal numbers ("7", "001", "1.10",
// "20240101120000"), ordered number by number so that 2 < 10 and 1.9 < 1.10.
#pragma once


#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

class Version {
public:
    // Accepts digits separated by '.' or '_' (Flyway writes 1_2 for 1.2).
    // Throws Failure(InvalidValue) with a hint otherwise.
    static Version parse(std::string_view text);

    // As the user spelled it; this is what status shows.
    const std::string& text() const noexcept { return text_; }
    // Leading zeros dropped, '.' separated: "001" and "1" share it, so they are one version.
    const std::string& canonical() const noexcept { return canonical_; }
    // A string whose byte order (COLLATE "C") is the natural version order.
    std::string sort_key() const;

    friend int compare(const Version& a, const Version& b) noexcept;
    friend bool operator<(const Version& a, const Version& b) noexcept { return compare(a, b) < 0; }
    friend bool operator==(const Version& a, const Version& b) noexcept { return compare(a, b) == 0; }

private:
    std::string text_;
    std::string canonical_;
    std::vector<std::string> numbers_;  // without leading zeros, "0" for zero
};

}  // namespace ms::core
