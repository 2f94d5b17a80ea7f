#include "core/layout.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

using ms::core::classify_path;
using ms::core::Direction;
using ms::core::FailureKind;
using ms::core::MigrationFile;
using ms::core::pair_files;
using ms::core::Version;
using ms::test::failure_of;
using ms::test::kind_of;

namespace {

MigrationFile classified(const std::string& path) {
    const auto file = classify_path(path);
    if (!file)
        throw std::logic_error("\"" + path + "\" was not classified as a migration");
    return *file;
}

std::vector<MigrationFile> classified_all(const std::vector<std::string>& paths) {
    std::vector<MigrationFile> files;
    for (const auto& p : paths)
        files.push_back(classified(p));
    return files;
}

}  // namespace

TEST(Layout, PlainNumberedWithRollbackFolder) {
    const auto up = classified("001_create_users.sql");
    EXPECT_EQ(up.path, "001_create_users.sql");
    EXPECT_EQ(up.version, "001");
    EXPECT_EQ(up.name, "create_users");
    EXPECT_EQ(up.direction, Direction::Up);

    const auto down = classified("rollback/001_drop_users.sql");
    EXPECT_EQ(down.path, "rollback/001_drop_users.sql");
    EXPECT_EQ(down.version, "001");
    EXPECT_EQ(down.name, "drop_users");
    EXPECT_EQ(down.direction, Direction::Down);

    const auto bare = classified("7.sql");
    EXPECT_EQ(bare.version, "7");
    EXPECT_EQ(bare.name, "");
    EXPECT_EQ(classified("20240101120000-add-index.sql").name, "add-index");
}

TEST(Layout, GolangMigrateUpAndDown) {
    const auto up = classified("1_init.up.sql");
    EXPECT_EQ(up.version, "1");
    EXPECT_EQ(up.name, "init");
    EXPECT_EQ(up.direction, Direction::Up);
    const auto down = classified("1_init.down.sql");
    EXPECT_EQ(down.version, "1");
    EXPECT_EQ(down.name, "init");
    EXPECT_EQ(down.direction, Direction::Down);
    EXPECT_EQ(classified("20240101120000_add_index.up.sql").version, "20240101120000");
}

TEST(Layout, VPrefixedDottedPairs) {
    const auto up = classified("V0001.Initial_Schema.up.sql");
    EXPECT_EQ(up.version, "0001");
    EXPECT_EQ(up.name, "Initial_Schema");
    EXPECT_EQ(up.direction, Direction::Up);
    const auto down = classified("V0001.Initial_Schema.down.sql");
    EXPECT_EQ(down.version, "0001");
    EXPECT_EQ(down.direction, Direction::Down);
}

TEST(Layout, Flyway) {
    const auto up = classified("V1_2__add_name.sql");
    EXPECT_EQ(up.version, "1.2");
    EXPECT_EQ(up.name, "add_name");
    EXPECT_EQ(up.direction, Direction::Up);
    EXPECT_EQ(Version::parse(up.version).canonical(), "1.2");

    const auto undo = classified("U1_2__add_name.sql");
    EXPECT_EQ(undo.version, "1.2");
    EXPECT_EQ(undo.direction, Direction::Down);

    const auto simple = classified("V1__init.sql");
    EXPECT_EQ(simple.version, "1");
    EXPECT_EQ(simple.name, "init");
    EXPECT_EQ(classified("V2.1__seed.sql").version, "2.1");
}

TEST(Layout, NonScriptsAreIgnored) {
    for (const char* path : {"README.md", "notes.txt", "1_a.sql.bak", "1_a.sql~", ".1_a.sql",
                             ".hidden.sql", "sub/1_a.sql", "old/V1__x.sql", "a/b/c.sql",
                             "rollback/README.md", "rollback/.1_a.sql", "rollback/sub/1_a.sql",
                             "rollback", ".git/1_a.sql", "", "sql"}) {
        EXPECT_FALSE(classify_path(path)) << path;
    }
}

TEST(Layout, UnrecognisedScriptsAreAnErrorNotSkipped) {
    for (const char* path : {"create_things.sql", "init.up.sql", "V1_x.sql", "V1__.sql",
                             "X1__init.sql", "a1_x.sql", "rollback/drop_users.sql",
                             "rollback/U1__x.sql"}) {
        const auto failure = failure_of([&] { classify_path(path); });
        ASSERT_TRUE(failure) << path;
        EXPECT_EQ(failure->kind(), FailureKind::Layout) << path;
        EXPECT_NE(std::string(failure->what()).find(path), std::string::npos) << path;
        EXPECT_FALSE(failure->hint().empty());
    }
}

TEST(Layout, PairsUpAndDownByVersionInVersionOrder) {
    const auto pairs = pair_files(classified_all({
        "10_index.sql",
        "rollback/002_undo_notifications.sql",
        "002_notifications.sql",
        "001_users.sql",
        "rollback/1_drop_users.sql",
    }));
    ASSERT_EQ(pairs.size(), 3u);
    EXPECT_EQ(pairs[0].version.canonical(), "1");
    EXPECT_EQ(pairs[0].name, "users");
    EXPECT_EQ(pairs[0].up_path, "001_users.sql");
    EXPECT_EQ(pairs[0].down_path, "rollback/1_drop_users.sql");
    EXPECT_EQ(pairs[1].version.canonical(), "2");
    EXPECT_EQ(pairs[1].down_path, "rollback/002_undo_notifications.sql");
    EXPECT_EQ(pairs[2].version.canonical(), "10");
    EXPECT_FALSE(pairs[2].down_path);
}

TEST(Layout, TheUpScriptsSpellingAndNameWin) {
    // The down script comes first and spells the version differently.
    const auto pairs = pair_files(classified_all({"rollback/1_remove.sql", "001_add.sql"}));
    ASSERT_EQ(pairs.size(), 1u);
    EXPECT_EQ(pairs[0].version.text(), "001");
    EXPECT_EQ(pairs[0].name, "add");
    EXPECT_EQ(pairs[0].up_path, "001_add.sql");
    EXPECT_EQ(pairs[0].down_path, "rollback/1_remove.sql");
}

TEST(Layout, UpAndDownWithDifferentNamesPairByVersion) {
    const auto pairs = pair_files(classified_all(
        {"2_add_label.up.sql", "1_init.down.sql", "2_remove_label.down.sql", "1_init.up.sql"}));
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[1].name, "add_label");
    EXPECT_EQ(pairs[1].up_path, "2_add_label.up.sql");
    EXPECT_EQ(pairs[1].down_path, "2_remove_label.down.sql");
}

TEST(Layout, FlywayVersionsPairAndSortNumerically) {
    const auto pairs = pair_files(classified_all(
        {"V2__seed.sql", "V1_10__late.sql", "V1_2__name.sql", "U1_2__name.sql", "V1__init.sql"}));
    ASSERT_EQ(pairs.size(), 4u);
    EXPECT_EQ(pairs[0].version.canonical(), "1");
    EXPECT_EQ(pairs[1].version.canonical(), "1.2");
    EXPECT_EQ(pairs[1].down_path, "U1_2__name.sql");
    EXPECT_EQ(pairs[2].version.canonical(), "1.10");
    EXPECT_EQ(pairs[3].version.canonical(), "2");
}

TEST(Layout, ANamelessScriptIsNamedByItsVersion) {
    const auto pairs = pair_files(classified_all({"0042.sql"}));
    ASSERT_EQ(pairs.size(), 1u);
    EXPECT_EQ(pairs[0].name, "0042");
}

TEST(Layout, TwoUpScriptsForOneVersionAreADuplicate) {
    EXPECT_EQ(kind_of([] { pair_files(classified_all({"1_a.sql", "1_b.sql"})); }),
              FailureKind::Duplicate);
    EXPECT_EQ(kind_of([] { pair_files(classified_all({"1_first.sql", "001_second.sql"})); }),
              FailureKind::Duplicate);
    // Different layouts, one version.
    EXPECT_EQ(kind_of([] { pair_files(classified_all({"1_a.sql", "1_b.up.sql"})); }),
              FailureKind::Duplicate);
    EXPECT_EQ(kind_of([] { pair_files(classified_all({"V1_0__a.sql", "1.0_b.up.sql"})); }),
              FailureKind::Duplicate);

    const auto failure = failure_of([] {
        pair_files(classified_all({"1_first.sql", "2_x.sql", "001_second.sql"}));
    });
    ASSERT_TRUE(failure);
    EXPECT_NE(failure->detail().find("1_first.sql"), std::string::npos) << failure->detail();
    EXPECT_NE(failure->detail().find("001_second.sql"), std::string::npos) << failure->detail();
}

TEST(Layout, TwoDownScriptsForOneVersionAreADuplicate) {
    EXPECT_EQ(kind_of([] {
                  pair_files(classified_all({"1_a.sql", "rollback/1_x.sql", "rollback/01_y.sql"}));
              }),
              FailureKind::Duplicate);
}

TEST(Layout, ADownScriptWithoutUpIsRefused) {
    const auto failure = failure_of(
        [] { pair_files(classified_all({"1_a.up.sql", "2_b.down.sql"})); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Layout);
    EXPECT_NE(std::string(failure->what()).find("2_b.down.sql"), std::string::npos);
}

TEST(Layout, OneAndOnePointZeroAreDifferentVersions) {
    const auto pairs = pair_files(classified_all({"1_a.up.sql", "1.0_b.up.sql"}));
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[0].up_path, "1_a.up.sql");
    EXPECT_EQ(pairs[1].up_path, "1.0_b.up.sql");
}

TEST(Layout, AnOverlongVersionIsInvalid) {
    const std::string path = std::string(65, '1') + "_a.sql";
    EXPECT_EQ(kind_of([&] { pair_files(classified_all({path})); }), FailureKind::InvalidValue);
}

TEST(Layout, NoFilesNoPairs) {
    EXPECT_TRUE(pair_files({}).empty());
}
