#include "core/schema/diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using ms::core::changes_json;
using ms::core::diff_schemas;
using ms::core::json_string;
using ms::core::SchemaAttribute;
using ms::core::SchemaChangeKind;

namespace {

const std::vector<SchemaAttribute> base = {
    {"table", "app.t", "kind", "table"},
    {"column", "app.t.a", "type", "integer"},
    {"column", "app.t.a", "not_null", "true"},
    {"index", "app.t_a_idx", "definition", "CREATE INDEX t_a_idx ON app.t USING btree (a)"},
    {"index", "app.t_a_idx", "valid", "true"},
};

}  // namespace

TEST(SchemaDiff, EqualSchemasInAnyOrderHaveNoDifferences) {
    auto shuffled = base;
    std::reverse(shuffled.begin(), shuffled.end());
    EXPECT_TRUE(diff_schemas(base, shuffled).empty());
}

TEST(SchemaDiff, AForgottenIndexIsAddedWithItsDefinition) {
    auto before = base;
    before.erase(before.begin() + 3, before.end());
    const auto changes = diff_schemas(before, base);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].change, SchemaChangeKind::Added);
    EXPECT_EQ(changes[0].kind, "index");
    EXPECT_EQ(changes[0].object, "app.t_a_idx");
    EXPECT_EQ(changes[0].detail, "CREATE INDEX t_a_idx ON app.t USING btree (a)");
}

TEST(SchemaDiff, ARemovedObjectWithoutDefinitionListsItsAttributes) {
    auto after = base;
    after.erase(after.begin() + 1, after.begin() + 3);
    const auto changes = diff_schemas(base, after);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].change, SchemaChangeKind::Removed);
    EXPECT_EQ(changes[0].object, "app.t.a");
    EXPECT_EQ(changes[0].detail, "not_null 'true', type 'integer'");
}

TEST(SchemaDiff, AChangedObjectNamesEveryAttributeThatDiffers) {
    auto after = base;
    after[1].value = "bigint";                               // type changed
    after.erase(after.begin() + 2);                          // not_null gone
    after.push_back({"column", "app.t.a", "default", "0"});  // default appeared
    const auto changes = diff_schemas(base, after);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].change, SchemaChangeKind::Changed);
    EXPECT_EQ(changes[0].detail,
              "default: (none) -> '0'; not_null: 'true' -> (none); type: 'integer' -> 'bigint'");
}

TEST(SchemaDiff, ResultsAreSortedByKindThenObject) {
    const std::vector<SchemaAttribute> after = {
        {"view", "app.v", "definition", "SELECT 1"},
        {"index", "app.b", "definition", "x"},
        {"index", "app.a", "definition", "y"},
    };
    const auto changes = diff_schemas({}, after);
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_EQ(changes[0].object, "app.a");
    EXPECT_EQ(changes[1].object, "app.b");
    EXPECT_EQ(changes[2].object, "app.v");
}

TEST(SchemaDiff, LongValuesAreCutAtACharacterBoundary) {
    // 'é' is two bytes: the cut must not split one.
    std::string body = "x";
    while (body.size() < 400)
        body += "\xc3\xa9";
    const auto changes = diff_schemas({}, {{"function", "app.f()", "definition", body}});
    ASSERT_EQ(changes.size(), 1u);
    const std::string& detail = changes[0].detail;
    ASSERT_GT(detail.size(), 3u);
    EXPECT_EQ(detail.substr(detail.size() - 3), "...");
    EXPECT_LE(detail.size(), ms::core::detail_value_limit + 3);
    const std::string kept = detail.substr(0, detail.size() - 3);
    EXPECT_EQ(kept.size() % 2, 1u);  // "x" plus whole two-byte characters
}

TEST(SchemaDiff, JsonEscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(json_string("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    const auto changes = diff_schemas({}, {{"index", "app.\"x\"", "definition", "d"}});
    EXPECT_EQ(changes_json(changes, "down"),
              "[{\"step\": \"down\", \"change\": \"added\", \"kind\": \"index\", "
              "\"object\": \"app.\\\"x\\\"\", \"detail\": \"d\"}]");
    EXPECT_EQ(changes_json({}), "[]");
}

TEST(SchemaDiff, ChangeNamesReadBackAsTheirKinds) {
    for (const auto kind : {ms::core::SchemaChangeKind::Added, ms::core::SchemaChangeKind::Removed,
                            ms::core::SchemaChangeKind::Changed})
        EXPECT_EQ(ms::core::change_kind_named(ms::core::change_name(kind)), kind);
    EXPECT_EQ(ms::core::change_kind_named("Added"), std::nullopt);
    EXPECT_EQ(ms::core::change_kind_named(""), std::nullopt);
}
