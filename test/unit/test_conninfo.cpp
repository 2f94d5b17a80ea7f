#include "core/client/conninfo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

using ms::core::ambiguous_conninfo;
using ms::core::looks_like_conninfo;
using ms::core::mask_conninfo;
using ms::core::mask_conninfo_message;

namespace {

// A subset of libpq's keywords is enough: the client passes PQconndefaults().
bool known(std::string_view k) {
    for (const char* w : {"host", "hostaddr", "port", "dbname", "user", "password",
                          "sslpassword", "sslmode", "application_name", "connect_timeout"})
        if (k == w) return true;
    return false;
}

std::string masked(std::string_view dsn) {
    return mask_conninfo(dsn, known);
}

}  // namespace

TEST(Conninfo, KeywordPasswordsAreMaskedAndTheRestShown) {
    EXPECT_EQ(masked("host=db user=alice password=s3cret dbname=app"),
              "host=db user=alice password=*** dbname=app");
    EXPECT_EQ(masked("host=db sslpassword=keypass"), "host=db sslpassword=***");
    EXPECT_EQ(masked("password = 'two words' host=db"), "password = *** host=db");
    EXPECT_EQ(masked("PASSWORD=x"), "PASSWORD=***");
    EXPECT_EQ(masked("password='it\\'s' host=x"), "password=*** host=x");
}

TEST(Conninfo, MaskingIsByPositionNotBySearchingTheText) {
    // A one-letter password must not turn every "a" into "***", nor a password equal to
    // the user name hide the user.
    EXPECT_EQ(masked("host=a user=a password=a dbname=a"), "host=a user=a password=*** dbname=a");
    EXPECT_EQ(masked("user=alice password=alice"), "user=alice password=***");
}

TEST(Conninfo, BrokenKeywordStringsAreMaskedFromWhereTheyBreak) {
    // libpq reads password="dq and then a word without '='; both halves are secret.
    EXPECT_EQ(masked("host=x password=\"dq secret\""), "host=x password=*** ***");
    EXPECT_EQ(masked("host=x password='unterminated"), "host=x password=***");
    EXPECT_EQ(masked("password=a b c"), "password=*** ***");
}

TEST(Conninfo, UnknownKeywordsHideTheirValuesAndUnlikelyNamesHideThemselves) {
    EXPECT_EQ(masked("host=x pasword=hunter2"), "host=x pasword=***");
    EXPECT_EQ(masked("host=x passwd=hunter2"), "host=x passwd=***");
    // "foo bar=baz" as a password without quotes: "bar" may be part of it.
    EXPECT_EQ(masked("password=foo bar=baz host=x"), "password=*** ***=*** host=x");
}

TEST(Conninfo, UriPasswordsAreMaskedWherePeopleMeantThem) {
    EXPECT_EQ(masked("postgresql://alice:pw@db:5432/app"), "postgresql://alice:***@db:5432/app");
    EXPECT_EQ(masked("postgres://alice@db/app"), "postgres://alice@db/app");
    EXPECT_EQ(masked("postgresql://alice:p@ss@db/app"), "postgresql://alice:***@db/app");
    EXPECT_EQ(masked("postgresql://alice:se/cret@db/app"), "postgresql://alice:***@db/app");
    EXPECT_EQ(masked("postgresql://db/app?password=x&sslmode=require"),
              "postgresql://db/app?password=***&sslmode=require");
    EXPECT_EQ(masked("postgresql://db/app?pass%77ord=x"), "postgresql://db/app?pass%77ord=***");
    EXPECT_EQ(masked("postgresql://db/app?sslpassword=k&x&user=u"),
              "postgresql://db/app?sslpassword=***&***&user=u");
    EXPECT_EQ(masked("POSTGRESQL://a:b@h"), "POSTGRESQL://a:***@h");
}

TEST(Conninfo, AmbiguousUserInformationIsRefused) {
    EXPECT_FALSE(ambiguous_conninfo("postgresql://alice:pw@db/app"));
    EXPECT_FALSE(ambiguous_conninfo("postgresql://db/app"));
    EXPECT_FALSE(ambiguous_conninfo("host=x password=a@b/c"));
    EXPECT_TRUE(ambiguous_conninfo("postgresql://alice:p@ss@db/app"));
    EXPECT_TRUE(ambiguous_conninfo("postgresql://alice:se/cret@db/app"));
    EXPECT_TRUE(ambiguous_conninfo("host=x dbname= password=secret"));
    EXPECT_FALSE(ambiguous_conninfo("host=x dbname='' password=secret"));
    EXPECT_EQ(masked("dbname= password=secret"), "dbname= ***");
}

TEST(Conninfo, LibpqMessagesKeepKeywordsAndLoseFragments) {
    const std::string dsn = "host=x password=\"dq secret\"";
    EXPECT_EQ(mask_conninfo_message("missing \"=\" after \"secret\"\" in connection info string",
                                    dsn, known),
              "missing \"=\" after \"***\" in connection info string");
    EXPECT_EQ(mask_conninfo_message("invalid connection option \"pasword\"", "pasword=x", known),
              "invalid connection option \"pasword\"");
    EXPECT_EQ(mask_conninfo_message("invalid percent-encoded token: \"s%zzcret\"",
                                    "postgresql://me:s%zzcret@/x", known),
              "invalid percent-encoded token: \"***\"");
    EXPECT_EQ(mask_conninfo_message("invalid connection option \"bar\"", "password=foo bar=baz",
                                    known),
              "invalid connection option \"***\"");
}

TEST(Conninfo, ArgumentsThatLookLikeConnectionStrings) {
    EXPECT_TRUE(looks_like_conninfo("postgresql://a:b@h/d"));
    EXPECT_TRUE(looks_like_conninfo("host=x password=y"));
    EXPECT_FALSE(looks_like_conninfo("./migrations"));
    EXPECT_FALSE(looks_like_conninfo("4"));
}
