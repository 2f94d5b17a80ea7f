// Masking checked against libpq itself: connection strings with passwords drawn from every
// printable character, written as people write them (keyword=value, quoted or not; URIs,
// percent-encoded or not), are parsed by PQconninfoParse, and no three characters of the
// password libpq read (nor of the one the writer meant) may appear in what the masking shows:
// the string itself, or libpq's error about it.
#include "core/client/conninfo.hpp"

#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

bool known(std::string_view word) {
    static const std::set<std::string, std::less<>> keywords = [] {
        std::set<std::string, std::less<>> k;
        const Options defaults(PQconndefaults(), &PQconninfoFree);
        for (auto* o = defaults.get(); o && o->keyword; ++o) k.insert(o->keyword);
        return k;
    }();
    return keywords.count(word) != 0;
}

struct Parsed {
    bool ok = false;
    std::string error;
    std::string password, sslpassword;
};

Parsed parse(const std::string& dsn) {
    Parsed p;
    char* error = nullptr;
    Options o(PQconninfoParse(dsn.c_str(), &error), &PQconninfoFree);
    if (!o) {
        p.error = error ? error : "";
        PQfreemem(error);
        return p;
    }
    p.ok = true;
    for (auto* i = o.get(); i->keyword; ++i) {
        if (!i->val) continue;
        if (std::string_view(i->keyword) == "password") p.password = i->val;
        if (std::string_view(i->keyword) == "sslpassword") p.sslpassword = i->val;
    }
    return p;
}

std::string percent(unsigned char c) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", c);
    return buf;
}

struct Case {
    std::string dsn;
    std::string meant;   // the password as its writer meant it
    std::string benign;  // the same string with a harmless password
};

class Generator {
public:
    explicit Generator(unsigned seed) : random_(seed) {}

    std::string password() {
        const int length = pick(3, 14);
        std::string p;
        for (int i = 0; i < length; ++i) p += static_cast<char>(pick(0x20, 0x7e));
        return p;
    }

    Case next() {
        const std::string p = password();
        switch (pick(0, 5)) {
        case 0: return keyword_form(p, "password", true);
        case 1: return keyword_form(p, "password", false);
        case 2: return keyword_form(p, "sslpassword", true);
        case 3: return uri(p, true);
        case 4: return uri(p, false);
        default: return uri_query(p);
        }
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

    // As libpq quotes: single quotes, backslash before ' and \; or bare, backslash before
    // blanks (or, carelessly, nothing escaped at all).
    std::string keyword_value(const std::string& p, bool careful) {
        std::string out;
        if (careful && pick(0, 1)) {
            out = "'";
            for (char c : p) {
                if (c == '\'' || c == '\\') out += '\\';
                out += c;
            }
            return out + "'";
        }
        for (char c : p) {
            if (careful && (c == ' ' || c == '\\' || c == '\'')) out += '\\';
            out += c;
        }
        return out;
    }

    Case keyword_form(const std::string& p, const char* key, bool careful) {
        const auto build = [&](const std::string& value) {
            std::string parts[] = {"host=db.example.com", "user=carol", std::string(key) + "=" + value,
                                   "dbname=app", "sslmode=disable"};
            std::shuffle(std::begin(parts), std::end(parts), random_);
            std::string dsn;
            for (const auto& part : parts) dsn += (dsn.empty() ? "" : " ") + part;
            return dsn;
        };
        const auto state = random_;
        Case c{build(keyword_value(p, careful)), p, ""};
        random_ = state;  // the same order for the benign twin
        c.benign = build("zzzzzz");
        return c;
    }

    // Percent-encoded where a URI needs it (or everywhere, or, carelessly, not at all).
    std::string uri_value(const std::string& p, bool careful) {
        const int style = careful ? pick(0, 1) : 2;
        std::string out;
        for (char c : p) {
            const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                               c == '_' || c == '~';
            if (style == 1 || (style == 0 && !plain)) out += percent(static_cast<unsigned char>(c));
            else out += c;
        }
        return out;
    }

    Case uri(const std::string& p, bool careful) {
        const char* tails[] = {"@db.example.com:5432/app?sslmode=disable", "@db.example.com/app",
                               "@/app?host=/tmp", "@db.example.com"};
        const std::string tail = tails[pick(0, 3)];
        const std::string head = pick(0, 1) ? "postgresql://carol:" : "postgres://carol:";
        return {head + uri_value(p, careful) + tail, p, head + "zzzzzz" + tail};
    }

    Case uri_query(const std::string& p) {
        const std::string key = pick(0, 3) ? "password" : "sslpassword";
        const std::string head = "postgresql://carol@db.example.com/app?sslmode=disable&" + key + "=";
        const std::string tail = pick(0, 1) ? "&application_name=x" : "";
        return {head + uri_value(p, pick(0, 3) != 0) + tail, p, head + "zzzzzz" + tail};
    }

    std::mt19937 random_;
};

// The first three characters of `secret` that `shown` holds and `public_text` does not.
std::string leaked(const std::string& secret, const std::string& shown, const std::string& public_text) {
    for (std::size_t i = 0; i + 3 <= secret.size(); ++i) {
        const std::string piece = secret.substr(i, 3);
        if (shown.find(piece) != std::string::npos && public_text.find(piece) == std::string::npos)
            return piece;
    }
    return {};
}

}  // namespace

TEST(ConninfoAgainstLibpq, NoPieceOfAPasswordIsShown) {
    Generator g(20260704);
    int parsed = 0, refused = 0;
    for (int i = 0; i < 30000; ++i) {
        const Case c = g.next();
        const Parsed p = parse(c.dsn);
        const std::string shown = ms::core::mask_conninfo(c.dsn, known);
        const std::string public_text = ms::core::mask_conninfo(c.benign, known) + " ***";
        std::string everything = shown;
        if (p.ok) {
            ++parsed;
        } else {
            ++refused;
            everything += "\n" + ms::core::mask_conninfo_message(p.error, c.dsn, known);
        }
        for (const std::string& secret : {p.password, p.sslpassword, c.meant}) {
            const std::string piece = leaked(secret, everything, public_text);
            ASSERT_EQ(piece, "") << "\"" << piece << "\" of the password \"" << secret << "\" is shown\n  dsn:   "
                                 << c.dsn << "\n  shown: " << everything;
        }
    }
    // Both paths were taken many times: the generator is not one-sided.
    EXPECT_GT(parsed, 10000);
    EXPECT_GT(refused, 100);
}

TEST(ConninfoAgainstLibpq, AQuestionMarkInAUriPasswordIsPartOfIt) {
    const std::string dsn = "postgresql://carol:Top?Secret@host/app";
    EXPECT_EQ(parse(dsn).password, "Top?Secret");
    EXPECT_EQ(ms::core::mask_conninfo(dsn, known), "postgresql://carol:***@host/app");
    const std::string with_query = "postgresql://carol:a?b&c=d@host/app?sslmode=require";
    EXPECT_EQ(parse(with_query).password, "a?b&c=d");
    EXPECT_EQ(ms::core::mask_conninfo(with_query, known), "postgresql://carol:***@host/app?sslmode=require");
    EXPECT_EQ(ms::core::ambiguous_conninfo(with_query), std::nullopt);
}
