#include "core/base/version.hpp"

#include "core/base/control_characters.hpp"
#include "core/base/failure.hpp"

#include <algorithm>
#include <cctype>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

constexpr std::size_t max_version_length = 64;

}  // namespace

Version Version::parse(std::string_view text) {
    const std::string spelled(text);
    auto refuse = [&](const std::string& why) {
        return Failure(FailureKind::InvalidValue,
                       "invalid migration version \"" + with_controls_escaped(spelled) + "\"", why,
                       "A version is one or more numbers separated by dots, such as 1, 002, "
                       "1.10 or 20240101120000.");
    };
    if (spelled.empty())
        throw refuse("The version is empty.");
    if (spelled.size() > max_version_length)
        throw refuse("A version has at most " + std::to_string(max_version_length) +
                     " characters.");

    // One pass, no intermediate copies: status and the planner parse every version of a
    // project on every call.
    Version v;
    v.text_ = spelled;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= spelled.size(); ++i) {
        if (i < spelled.size() && spelled[i] != '.' && spelled[i] != '_')
            continue;
        const std::string_view part(spelled.data() + start, i - start);
        if (part.empty())
            throw refuse("It has an empty number between separators.");
        if (!std::all_of(part.begin(), part.end(),
                         [](unsigned char c) { return std::isdigit(c) != 0; }))
            throw refuse("\"" + with_controls_escaped(part) + "\" is not a number.");
        const auto first = part.find_first_not_of('0');
        const std::string_view number = first == std::string_view::npos ? "0" : part.substr(first);
        if (!v.canonical_.empty())
            v.canonical_ += '.';
        v.canonical_.append(number);
        v.numbers_.emplace_back(number);
        start = i + 1;
    }
    return v;
}

std::string Version::sort_key() const {
    // Each number is prefixed by its length (two digits: a version is at most 64
    // characters), so byte order compares lengths first, then digits.
    std::string key;
    for (const auto& n : numbers_) {
        if (!key.empty())
            key += '.';
        key += static_cast<char>('0' + n.size() / 10);
        key += static_cast<char>('0' + n.size() % 10);
        key += n;
    }
    return key;
}

int compare(const Version& a, const Version& b) noexcept {
    const auto n = std::min(a.numbers_.size(), b.numbers_.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto& x = a.numbers_[i];
        const auto& y = b.numbers_[i];
        if (x.size() != y.size())
            return x.size() < y.size() ? -1 : 1;
        if (const int c = x.compare(y); c != 0)
            return c < 0 ? -1 : 1;
    }
    if (a.numbers_.size() != b.numbers_.size())
        return a.numbers_.size() < b.numbers_.size() ? -1 : 1;
    return 0;
}

}  // namespace ms::core
