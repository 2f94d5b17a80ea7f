#include "core/base/version.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using ms::core::FailureKind;
using ms::core::Version;
using ms::test::failure_of;
using ms::test::kind_of;

namespace {

int sign(int x) {
    return (x > 0) - (x < 0);
}

int key_order(const Version& a, const Version& b) {
    return sign(a.sort_key().compare(b.sort_key()));
}

}  // namespace

TEST(Version, NumbersCompareNumericallyNotAsText) {
    EXPECT_LT(Version::parse("2"), Version::parse("10"));
    EXPECT_LT(Version::parse("9"), Version::parse("010"));
    EXPECT_LT(Version::parse("1.9"), Version::parse("1.10"));
    EXPECT_LT(Version::parse("1.10"), Version::parse("2.1"));
    EXPECT_LT(Version::parse("0"), Version::parse("1"));
    EXPECT_FALSE(Version::parse("10") < Version::parse("2"));
}

TEST(Version, TimestampsKeepTheirOrder) {
    EXPECT_LT(Version::parse("20240101120000"), Version::parse("20240101120001"));
    EXPECT_LT(Version::parse("20231231235959"), Version::parse("20240101000000"));
    // A timestamp and a small sequence number: the timestamp is simply the larger number.
    EXPECT_LT(Version::parse("999"), Version::parse("20240101000000"));
}

TEST(Version, AShorterVersionSortsBeforeItsExtensions) {
    const auto v1 = Version::parse("1");
    const auto v10 = Version::parse("1.0");
    const auto v11 = Version::parse("1.1");
    const auto v2 = Version::parse("2");
    EXPECT_LT(v1, v10);
    EXPECT_LT(v10, v11);
    EXPECT_LT(v11, v2);
    EXPECT_FALSE(v1 == v10);
    EXPECT_NE(v1.canonical(), v10.canonical());
    EXPECT_EQ(compare(v1, v10), -1);
    EXPECT_EQ(compare(v10, v1), 1);
    EXPECT_EQ(key_order(v1, v10), -1);
    EXPECT_EQ(key_order(v10, v11), -1);
    EXPECT_EQ(key_order(v11, v2), -1);
}

TEST(Version, LeadingZerosDoNotMakeADifferentVersion) {
    const auto a = Version::parse("1");
    const auto b = Version::parse("001");
    EXPECT_EQ(a.canonical(), "1");
    EXPECT_EQ(b.canonical(), "1");
    EXPECT_EQ(compare(a, b), 0);
    EXPECT_TRUE(a == b);
    EXPECT_EQ(a.sort_key(), b.sort_key());
    // What the user wrote is kept for display.
    EXPECT_EQ(b.text(), "001");
    EXPECT_EQ(Version::parse("001.010").canonical(), "1.10");
    EXPECT_EQ(Version::parse("000").canonical(), "0");
    EXPECT_EQ(Version::parse("0.00.1").canonical(), "0.0.1");
}

TEST(Version, FlywayUnderscoreMeansDot) {
    const auto flyway = Version::parse("1_2");
    EXPECT_EQ(flyway.canonical(), "1.2");
    EXPECT_EQ(flyway.text(), "1_2");
    EXPECT_TRUE(flyway == Version::parse("1.2"));
    EXPECT_EQ(Version::parse("2_10_003").canonical(), "2.10.3");
}

TEST(Version, MalformedVersionsAreRefused) {
    const std::vector<std::string> bad = {
        "", "a", "1..2", "1.", ".1", "-1", "1 ", " 1", "1a", "+1", "1__2", "_1", "1_",
        "1,2", "1/2", "0x10", "1e3", "\xd9\xa1",  // ARABIC-INDIC DIGIT ONE
        std::string(65, '1'), std::string("1\0", 2),
    };
    for (const auto& text : bad) {
        const auto failure = failure_of([&] { Version::parse(text); });
        ASSERT_TRUE(failure) << "accepted \"" << text << "\"";
        EXPECT_EQ(failure->kind(), FailureKind::InvalidValue) << text;
        EXPECT_FALSE(failure->detail().empty()) << text;
        EXPECT_FALSE(failure->hint().empty()) << text;
    }
}

TEST(Version, SixtyFourCharactersIsTheLimit) {
    const std::string longest(64, '7');
    EXPECT_EQ(Version::parse(longest).canonical(), longest);
    EXPECT_EQ(kind_of([&] { Version::parse(longest + "7"); }), FailureKind::InvalidValue);
    const std::string dotted = std::string(31, '1') + "." + std::string(32, '2');
    EXPECT_EQ(Version::parse(dotted).canonical(), dotted);
}

TEST(Version, SortKeyOfLongNumbersStillOrdersByLength) {
    // Lengths of 10 and more need both digits of the length prefix to compare right.
    const auto nine = Version::parse(std::string(9, '9'));
    const auto ten = Version::parse("1" + std::string(9, '0'));
    const auto longest = Version::parse(std::string(64, '1'));
    EXPECT_LT(nine, ten);
    EXPECT_LT(ten, longest);
    EXPECT_EQ(key_order(nine, ten), -1);
    EXPECT_EQ(key_order(ten, longest), -1);
}

namespace {

struct Generated {
    std::string text;
    std::vector<std::uint64_t> numbers;  // the reference order: number by number
};

// Versions with few distinct small numbers, so that equal and prefix cases are common,
// mixed with long numbers; each number fits in 18 digits so that uint64 is an exact oracle.
Generated random_version_once(std::mt19937& rng) {
    std::uniform_int_distribution<int> parts_dist(1, 4);
    std::uniform_int_distribution<int> shape(0, 9);
    std::uniform_int_distribution<int> digit(0, 9);
    std::uniform_int_distribution<int> zeros(0, 3);
    Generated g;
    const int parts = parts_dist(rng);
    for (int i = 0; i < parts; ++i) {
        if (i > 0)
            g.text += shape(rng) < 2 ? '_' : '.';
        std::string digits(static_cast<std::size_t>(zeros(rng)), '0');
        const int length = shape(rng) < 7 ? 1 : 1 + digit(rng) + digit(rng);
        std::string number;
        for (int d = 0; d < length; ++d)
            number += static_cast<char>('0' + (shape(rng) < 7 && length == 1 ? digit(rng) % 3
                                                                               : digit(rng)));
        digits += number;
        g.text += digits;
        g.numbers.push_back(std::stoull(number));
    }
    return g;
}

Generated random_version(std::mt19937& rng) {
    for (;;) {
        auto g = random_version_once(rng);
        if (g.text.size() <= 64)
            return g;
    }
}

int reference_order(const Generated& a, const Generated& b) {
    if (a.numbers < b.numbers)
        return -1;
    return b.numbers < a.numbers ? 1 : 0;
}

}  // namespace

TEST(Version, CompareAndSortKeyAgreeWithNumericOrderOnRandomVersions) {
    std::mt19937 rng(20240101);
    std::vector<Generated> generated;
    std::vector<Version> versions;
    for (int i = 0; i < 600; ++i) {
        generated.push_back(random_version(rng));
        versions.push_back(Version::parse(generated.back().text));
    }
    for (std::size_t i = 0; i < versions.size(); ++i) {
        for (std::size_t j = 0; j < versions.size(); ++j) {
            const int expected = reference_order(generated[i], generated[j]);
            const auto& a = versions[i];
            const auto& b = versions[j];
            ASSERT_EQ(sign(compare(a, b)), expected) << a.text() << " vs " << b.text();
            ASSERT_EQ(key_order(a, b), expected) << a.text() << " vs " << b.text();
            ASSERT_EQ(a.canonical() == b.canonical(), expected == 0)
                << a.text() << " vs " << b.text();
        }
    }
}

TEST(Version, SortingByKeyEqualsSortingByCompare) {
    std::mt19937 rng(7);
    std::vector<Version> by_compare;
    for (int i = 0; i < 2000; ++i)
        by_compare.push_back(Version::parse(random_version(rng).text));
    auto by_key = by_compare;
    std::stable_sort(by_compare.begin(), by_compare.end());
    std::stable_sort(by_key.begin(), by_key.end(), [](const Version& a, const Version& b) {
        return a.sort_key() < b.sort_key();
    });
    for (std::size_t i = 0; i < by_compare.size(); ++i)
        ASSERT_EQ(by_compare[i].text(), by_key[i].text()) << "position " << i;
}
