#include "core/client/conninfo.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

constexpr std::string_view mask = "***";
constexpr std::string_view uri_prefixes[] = {"postgresql://", "postgres://"};

bool secret_keyword(std::string_view key) {
    return boost::algorithm::iequals(key, "password") ||
           boost::algorithm::iequals(key, "sslpassword");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// How a keyword is shown. A keyword libpq does not know is shown only when it is a near
// miss of a secret one ("pasword"), which is worth seeing; any other unknown word may be a
// piece of a password that contained a blank or an '&', so it is masked with its value.
enum class Shown { Keyword, KeywordMaskedValue, Nothing };

Shown shown_as(std::string_view key, const KeywordPredicate& known) {
    if (secret_keyword(key)) return Shown::KeywordMaskedValue;
    if (known(key)) return Shown::Keyword;
    const bool near_secret = key.size() >= 4 && (edit_distance(key, "password") <= 2 ||
                                                 edit_distance(key, "sslpassword") <= 2);
    return near_secret ? Shown::KeywordMaskedValue : Shown::Nothing;
}

bool blank(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// One keyword=value pair as libpq's conninfo_parse reads it (fe-connect.c): blanks around
// '=', a value either single-quoted or running to the next blank, backslash escapes in both.
struct Pair {
    std::string_view key;
    std::size_t value_begin;
    std::size_t value_end;
    // "dbname= password=x": libpq skips the blank and reads "password=x" as the value.
    bool swallows_pair = false;
};

struct KeywordReading {
    std::vector<Pair> pairs;
    std::size_t broken_at = std::string_view::npos;  // where the grammar stops holding
};

KeywordReading read_keywords(std::string_view s) {
    KeywordReading r;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && blank(s[i])) ++i;
        if (i >= s.size()) return r;
        const std::size_t key_begin = i;
        while (i < s.size() && s[i] != '=' && !blank(s[i])) ++i;
        const std::string_view key = s.substr(key_begin, i - key_begin);
        while (i < s.size() && blank(s[i])) ++i;
        if (i >= s.size() || s[i] != '=' || key.empty()) {
            r.broken_at = key_begin;
            return r;
        }
        const std::size_t after_equals = ++i;
        while (i < s.size() && blank(s[i])) ++i;
        const std::size_t value_begin = i;
        const bool skipped_blanks = value_begin > after_equals;
        if (i < s.size() && s[i] == '\'') {
            for (++i; i < s.size() && s[i] != '\''; ++i)
                if (s[i] == '\\') ++i;
            if (i >= s.size()) {
                r.broken_at = value_begin;
                return r;
            }
            ++i;
        } else {
            for (; i < s.size() && !blank(s[i]); ++i)
                if (s[i] == '\\') ++i;
            i = std::min(i, s.size());
        }
        const std::string_view value = s.substr(value_begin, i - value_begin);
        r.pairs.push_back({key, value_begin, i,
                           skipped_blanks && value.find('=') != std::string_view::npos});
    }
}

std::string mask_keywords(std::string_view s, const KeywordPredicate& known) {
    const KeywordReading r = read_keywords(s);
    std::string out;
    std::size_t copied = 0;
    for (const Pair& p : r.pairs) {
        const Shown shown = shown_as(p.key, known);
        switch (p.swallows_pair && shown != Shown::Nothing ? Shown::KeywordMaskedValue : shown) {
        case Shown::Keyword:
            break;
        case Shown::KeywordMaskedValue:
            out.append(s.substr(copied, p.value_begin - copied)).append(mask);
            copied = p.value_end;
            break;
        case Shown::Nothing: {
            const std::size_t key_begin = static_cast<std::size_t>(p.key.data() - s.data());
            out.append(s.substr(copied, key_begin - copied)).append(mask).append("=").append(mask);
            copied = p.value_end;
            break;
        }
        }
    }
    if (r.broken_at != std::string_view::npos)
        return out.append(s.substr(copied, r.broken_at - copied)).append(mask);
    return out.append(s.substr(copied));
}

std::size_t uri_authority_begin(std::string_view uri) {
    for (const auto prefix : uri_prefixes)
        if (boost::algorithm::istarts_with(uri, prefix)) return prefix.size();
    return std::string_view::npos;
}

// Where the query begins as libpq finds it: after the user information, which libpq ends at
// the first '@' met before any '/' (a '?' in a password is part of it).
std::size_t uri_query_begin(std::string_view uri, std::size_t start) {
    std::size_t from = start;
    if (const std::size_t end = uri.find_first_of("@/", start); end != std::string_view::npos && uri[end] == '@')
        from = end + 1;
    return std::min(uri.find('?', from), uri.size());
}

std::string mask_uri(std::string_view uri, const KeywordPredicate& known) {
    const std::size_t start = uri_authority_begin(uri);
    const std::size_t query = uri_query_begin(uri, start);
    std::string out(uri.substr(0, start));
    // The user information ends at the last '@' before the query: a password with an '@'
    // or '/' in it is masked whole, however libpq would have split it.
    const std::string_view head = uri.substr(start, query - start);
    const std::size_t at = head.rfind('@');
    const std::size_t head_colon = head.find(':');
    if (head_colon != std::string_view::npos && uri.find('@', query) != std::string_view::npos) {
        // "carol:Top/Se?cret@db", "carol:a@b?c@db": libpq ends the query's start at a '?' its
        // writer meant in a password up to a later '@'. What follows the ':' may be a piece of it.
        out.append(head.substr(0, head_colon + 1)).append(mask);
    } else if (at != std::string_view::npos) {
        const std::string_view userinfo = head.substr(0, at);
        const std::size_t colon = userinfo.find(':');
        if (colon != std::string_view::npos)
            out.append(userinfo.substr(0, colon + 1)).append(mask);
        else
            out.append(userinfo);
        out.append(head.substr(at));
    } else {
        out.append(head);
    }
    if (query == uri.size()) return out;

    out += '?';
    std::size_t pos = query + 1;
    for (bool first = true; pos <= uri.size(); first = false) {
        const std::size_t end = std::min(uri.find('&', pos), uri.size());
        const std::string_view param = uri.substr(pos, end - pos);
        const std::size_t eq = param.find('=');
        if (!first) out += '&';
        if (eq == std::string_view::npos) {
            // A parameter without '=' is where a password with an '&' in it was cut.
            if (!param.empty()) out.append(mask);
        } else {
            const std::string key = percent_decoded(param.substr(0, eq));
            switch (shown_as(key, known)) {
            case Shown::Keyword: out.append(param); break;
            case Shown::KeywordMaskedValue: out.append(param.substr(0, eq + 1)).append(mask); break;
            case Shown::Nothing: out.append(mask).append("=").append(mask); break;
            }
        }
        if (end == uri.size()) break;
        pos = end + 1;
    }
    return out;
}

// The keywords a string spells out (keyword form, or a URI's query), shown in messages.
std::vector<std::string> shown_keywords(std::string_view dsn, const KeywordPredicate& known) {
    std::vector<std::string> keys;
    const auto add = [&](std::string key) {
        if (shown_as(key, known) != Shown::Nothing) keys.push_back(std::move(key));
    };
    if (is_conninfo_uri(dsn)) {
        const std::size_t query = uri_query_begin(dsn, uri_authority_begin(dsn));
        if (query >= dsn.size()) return keys;
        std::size_t pos = query + 1;
        while (pos < dsn.size()) {
            const std::size_t end = std::min(dsn.find('&', pos), dsn.size());
            const std::string_view param = dsn.substr(pos, end - pos);
            if (const std::size_t eq = param.find('='); eq != std::string_view::npos)
                add(percent_decoded(param.substr(0, eq)));
            pos = end + 1;
        }
    } else {
        for (const Pair& p : read_keywords(dsn).pairs) add(std::string(p.key));
    }
    return keys;
}

}  // namespace

bool is_conninfo_uri(std::string_view text) {
    return uri_authority_begin(text) != std::string_view::npos;
}

bool looks_like_conninfo(std::string_view text) {
    return is_conninfo_uri(text) || text.find('=') != std::string_view::npos;
}

std::string mask_conninfo(std::string_view dsn, const KeywordPredicate& known_keyword) {
    return is_conninfo_uri(dsn) ? mask_uri(dsn, known_keyword) : mask_keywords(dsn, known_keyword);
}

std::optional<std::string> ambiguous_conninfo(std::string_view dsn) {
    const std::size_t start = uri_authority_begin(dsn);
    if (start == std::string_view::npos) {
        for (const Pair& p : read_keywords(dsn).pairs)
            if (p.swallows_pair)
                return "the value of \"" + std::string(p.key) +
                       "\" would be the keyword=value pair written after it: libpq skips "
                       "blanks after '=', so an empty value is written ''";
        return std::nullopt;
    }
    const std::string_view head = dsn.substr(start, uri_query_begin(dsn, start) - start);
    const std::size_t first_at = head.find('@');
    if (first_at == std::string_view::npos) return std::nullopt;
    const std::size_t slash = head.find('/');
    if (first_at == head.rfind('@') && (slash == std::string_view::npos || slash > first_at))
        return std::nullopt;
    return std::string(
        "the user information of the connection URI contains '@' or '/', which libpq would "
        "read as part of the host or database; percent-encode them as %40 and %2F");
}

std::string mask_conninfo_message(std::string_view message, std::string_view dsn,
                                  const KeywordPredicate& known_keyword) {
    const std::vector<std::string> keys = shown_keywords(dsn, known_keyword);
    const auto harmless = [&](std::string_view quoted) {
        return quoted == "=" || quoted == "]" || known_keyword(quoted) ||
               std::find(keys.begin(), keys.end(), quoted) != keys.end();
    };
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        const std::size_t open = message.find('"', i);
        if (open == std::string_view::npos) break;
        const std::size_t close = message.find('"', open + 1);
        if (close == std::string_view::npos) break;
        out.append(message.substr(i, open - i));
        if (harmless(message.substr(open + 1, close - open - 1))) {
            out.append(message.substr(open, close - open + 1));
            i = close + 1;
        } else {
            // The fragment may itself contain quotes: mask up to the last one.
            out.append("\"").append(mask).append("\"");
            i = message.rfind('"') + 1;
        }
    }
    return out.append(message.substr(std::min(i, message.size())));
}

}  // namespace ms::core
