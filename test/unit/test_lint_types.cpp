#include "core/lint/types.hpp"

#include <gtest/gtest.h>

using ms::core::ColumnType;
using ms::core::modifiers_from_typmod;
using ms::core::type_change_rewrites;
using ms::core::type_display;

namespace {

bool rewrites(ColumnType from, ColumnType to) {
    return type_change_rewrites(from, to);
}

}  // namespace

TEST(LintTypes, VarcharGrowingOrToTextKeepsTheTable) {
    EXPECT_FALSE(rewrites({"varchar", {20}}, {"varchar", {50}}));
    EXPECT_FALSE(rewrites({"varchar", {20}}, {"varchar", {20}}));
    EXPECT_FALSE(rewrites({"varchar", {20}}, {"varchar", {}}));
    EXPECT_FALSE(rewrites({"varchar", {20}}, {"text", {}}));
    EXPECT_FALSE(rewrites({"varchar", {}}, {"text", {}}));
    EXPECT_FALSE(rewrites({"text", {}}, {"varchar", {}}));
}

TEST(LintTypes, VarcharShrinkingOrGainingALimitRewrites) {
    EXPECT_TRUE(rewrites({"varchar", {50}}, {"varchar", {20}}));
    EXPECT_TRUE(rewrites({"varchar", {}}, {"varchar", {20}}));
    EXPECT_TRUE(rewrites({"text", {}}, {"varchar", {20}}));
    EXPECT_TRUE(rewrites({"text", {}}, {"bpchar", {5}}));
}

TEST(LintTypes, NumericPrecisionGrowsOnlyWithTheSameScale) {
    EXPECT_FALSE(rewrites({"numeric", {10, 2}}, {"numeric", {12, 2}}));
    EXPECT_FALSE(rewrites({"numeric", {10, 2}}, {"numeric", {}}));
    EXPECT_FALSE(rewrites({"numeric", {10, 0}}, {"numeric", {12}}));  // numeric(12) = (12,0)
    EXPECT_TRUE(rewrites({"numeric", {10, 2}}, {"numeric", {12, 3}}));
    EXPECT_TRUE(rewrites({"numeric", {10, 2}}, {"numeric", {8, 2}}));
    EXPECT_TRUE(rewrites({"numeric", {}}, {"numeric", {12, 2}}));
}

TEST(LintTypes, TimePrecisionMayGrow) {
    EXPECT_FALSE(rewrites({"timestamp", {3}}, {"timestamp", {6}}));
    EXPECT_FALSE(rewrites({"timestamptz", {3}}, {"timestamptz", {}}));
    EXPECT_TRUE(rewrites({"timestamp", {6}}, {"timestamp", {3}}));
    EXPECT_FALSE(rewrites({"time", {0}}, {"time", {3}}));
    EXPECT_FALSE(rewrites({"interval", {}}, {"interval", {}}));
    EXPECT_TRUE(rewrites({"interval", {}}, {"interval", {3}}));
}

TEST(LintTypes, IntervalPrecisionMayGrowOverEveryField) {
    // interval(p) is {every field, p}, in the catalog as in the grammar.
    const int full = 0x7fff;
    const int typmod = (full << 16) | 3;
    EXPECT_EQ(ms::core::modifiers_from_typmod("interval", typmod), (std::vector<int>{full, 3}));
    EXPECT_FALSE(rewrites({"interval", {full, 3}}, {"interval", {full, 6}}));
    EXPECT_FALSE(rewrites({"interval", {}}, {"interval", {full, 6}}));
    EXPECT_FALSE(rewrites({"interval", {full, 3}}, {"interval", {}}));
    EXPECT_TRUE(rewrites({"interval", {full, 6}}, {"interval", {full, 3}}));
    EXPECT_TRUE(rewrites({"interval", {}}, {"interval", {full, 3}}));
    // DAY TO SECOND and the like: not judged, a rewrite.
    EXPECT_TRUE(rewrites({"interval", {full, 3}}, {"interval", {0x1c00, 6}}));
}

TEST(LintTypes, OtherTypeChangesRewrite) {
    EXPECT_TRUE(rewrites({"int4", {}}, {"int8", {}}));
    EXPECT_TRUE(rewrites({"timestamp", {}}, {"timestamptz", {}}));
    EXPECT_TRUE(rewrites({"bpchar", {5}}, {"bpchar", {10}}));
    EXPECT_TRUE(rewrites({"bpchar", {5}}, {"text", {}}));
    EXPECT_TRUE(rewrites({"json", {}}, {"jsonb", {}}));
    EXPECT_TRUE(rewrites({"_varchar", {20}}, {"_varchar", {50}}));
    EXPECT_FALSE(rewrites({"int4", {}}, {"int4", {}}));
    EXPECT_FALSE(rewrites({"cidr", {}}, {"inet", {}}));
    EXPECT_FALSE(rewrites({"bit", {4}}, {"varbit", {8}}));
    EXPECT_TRUE(rewrites({"bit", {8}}, {"varbit", {4}}));
}

TEST(LintTypes, UnknownModifiersCountAsARewrite) {
    ColumnType to{"varchar", {}, false};
    EXPECT_TRUE(rewrites({"varchar", {20}}, to));
}

TEST(LintTypes, ModifiersFromTheCatalogEncoding) {
    EXPECT_EQ(modifiers_from_typmod("varchar", -1), std::vector<int>{});
    EXPECT_EQ(modifiers_from_typmod("varchar", 24), std::vector<int>{20});
    EXPECT_EQ(modifiers_from_typmod("bpchar", 5), std::vector<int>{1});
    EXPECT_EQ(modifiers_from_typmod("numeric", ((10 << 16) | 2) + 4), (std::vector<int>{10, 2}));
    // PostgreSQL 15 stores negative scales in 11 bits.
    EXPECT_EQ(modifiers_from_typmod("numeric", ((10 << 16) | (-2 & 0x7ff)) + 4),
              (std::vector<int>{10, -2}));
    EXPECT_EQ(modifiers_from_typmod("timestamptz", 3), std::vector<int>{3});
    EXPECT_EQ(modifiers_from_typmod("bit", 8), std::vector<int>{8});
}

TEST(LintTypes, CatalogAndWrittenModifiersAgree) {
    EXPECT_FALSE(rewrites({"varchar", modifiers_from_typmod("varchar", 24)}, {"varchar", {30}}));
    EXPECT_FALSE(rewrites({"numeric", modifiers_from_typmod("numeric", ((10 << 16) | 2) + 4)},
                          {"numeric", {11, 2}}));
}

TEST(LintTypes, Display) {
    EXPECT_EQ(type_display("character varying", {20}), "character varying(20)");
    EXPECT_EQ(type_display("numeric", {12, 2}), "numeric(12,2)");
    EXPECT_EQ(type_display("integer", {}), "integer");
}
