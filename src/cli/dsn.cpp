#include "cli/dsn.hpp"

#include "cli/options.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <string_view>

namespace ms::cli {

namespace {

constexpr std::string_view mask = "***";

struct Span {
    std::size_t begin;
    std::size_t end;
};

bool iequals(const std::string& a, const char* b) {
    std::size_t i = 0;
    for (; i < a.size() && b[i]; ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return i == a.size() && !b[i];
}

bool is_uri(const std::string& dsn) {
    return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

// Where the passwords of a URI are: postgresql://user:secret@host/db?password=secret.
// The user info ends at the first '@' before any '/', as libpq reads it.
std::vector<Span> uri_password_spans(const std::string& uri) {
    std::vector<Span> spans;
    const std::size_t authority = uri.find("://") + 3;
    std::size_t rest = authority;
    const std::size_t at = uri.find_first_of("@/", authority);
    if (at != std::string::npos && uri[at] == '@') {
        const std::size_t colon = uri.find(':', authority);
        if (colon < at) spans.push_back({colon + 1, at});
        rest = at + 1;
    }
    std::size_t pos = uri.find('?', rest);
    while (pos != std::string::npos && pos < uri.size()) {
        const std::size_t start = pos + 1;
        const std::size_t end = std::min(uri.find('&', start), uri.size());
        const std::size_t eq = uri.find('=', start);
        if (eq < end && iequals(uri.substr(start, eq - start), "password"))
            spans.push_back({eq + 1, end});
        pos = end;
    }
    return spans;
}

// Where the password values of a keyword=value string are, quoted values included. The
// reading is lenient on purpose: a string libpq would refuse is still masked.
std::vector<Span> keyword_password_spans(const std::string& s) {
    std::vector<Span> spans;
    std::size_t i = 0;
    const auto blank = [&](std::size_t k) {
        return k < s.size() && std::isspace(static_cast<unsigned char>(s[k]));
    };
    while (i < s.size()) {
        while (blank(i)) ++i;
        const std::size_t key_begin = i;
        while (i < s.size() && s[i] != '=' && !blank(i)) ++i;
        const std::string key = s.substr(key_begin, i - key_begin);
        while (blank(i)) ++i;
        if (i >= s.size() || s[i] != '=') continue;  // a keyword without value
        ++i;
        while (blank(i)) ++i;
        const std::size_t value_begin = i;
        if (i < s.size() && s[i] == '\'') {
            for (++i; i < s.size() && s[i] != '\''; ++i)
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
            if (i < s.size()) ++i;  // the closing quote
        } else {
            for (; i < s.size() && !blank(i); ++i)
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
        }
        if (iequals(key, "password")) spans.push_back({value_begin, i});
    }
    return spans;
}

std::vector<Span> password_spans(const std::string& dsn) {
    return is_uri(dsn) ? uri_password_spans(dsn) : keyword_password_spans(dsn);
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

std::string mask_dsn(const std::string& dsn) {
    std::string out;
    std::size_t copied = 0;
    for (const Span& span : password_spans(dsn)) {
        out.append(dsn, copied, span.begin - copied);
        out.append(mask);
        copied = span.end;
    }
    out.append(dsn, copied, std::string::npos);
    return out;
}

std::vector<std::string> passwords_in(const std::string& dsn) {
    std::vector<std::string> found;
    for (const Span& span : password_spans(dsn)) {
        std::string raw = dsn.substr(span.begin, span.end - span.begin);
        if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'')
            found.push_back(raw.substr(1, raw.size() - 2));
        found.push_back(std::move(raw));
    }
    // libpq's own reading adds the decoded forms (percent-encoding, backslash escapes).
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(dsn.c_str(), &error), &PQconninfoFree);
    PQfreemem(error);
    for (auto* o = options.get(); o && o->keyword; ++o)
        if (o->val && std::string(o->keyword) == "password") found.emplace_back(o->val);
    found.erase(std::remove(found.begin(), found.end(), std::string()), found.end());
    return found;
}

std::string redact(std::string message, const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets) {
        for (auto pos = message.find(secret); pos != std::string::npos;
             pos = message.find(secret, pos + mask.size()))
            message.replace(pos, secret.size(), mask);
    }
    return message;
}

std::vector<std::string> read_dsn_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UsageError("could not read dsn file \"" + path + "\"");
    std::vector<std::string> dsns;
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (!line.empty() && line[0] != '#') dsns.push_back(line);
    }
    if (in.bad()) throw UsageError("could not read dsn file \"" + path + "\"");
    if (dsns.empty()) throw UsageError("dsn file \"" + path + "\" lists no connection string");
    return dsns;
}

}  // namespace ms::cli
