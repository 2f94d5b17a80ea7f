#include "core/folder/layout.hpp"

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

    // The folder's name in any case: a capitalised one must not lose its down scripts.
    EXPECT_EQ(classified("Rollback/001_drop_users.sql").direction, Direction::Down);
    EXPECT_EQ(classified("ROLLBACK/001_drop_users.sql").version, "001");
    EXPECT_EQ(classified("Verify/001_users.sql").direction, Direction::Verify);

    const auto bare = classified("7.sql");
    EXPECT_EQ(bare.version, "7");
    EXPECT_EQ(bare.name, "");
    EXPECT_EQ(classified("20240101120000-add-index.sql").name, "add-index");
}

TEST(Layout, PointReleasesBetweenNumberedMigrations) {
    const auto fix = classified("013.1_fix.sql");
    EXPECT_EQ(fix.version, "013.1");
    EXPECT_EQ(fix.name, "fix");
    EXPECT_EQ(fix.direction, Direction::Up);
    EXPECT_EQ(classified("rollback/013.1_fix.sql").version, "013.1");
    EXPECT_EQ(classified("13.1.2.sql").version, "13.1.2");
    const auto pairs = pair_files(classified_all(
        {"014_next.sql", "013.1_fix.sql", "013_base.sql", "rollback/013.1_fix.sql"}));
    ASSERT_EQ(pairs.size(), 3u);
    EXPECT_EQ(pairs[0].version.text(), "013");
    EXPECT_EQ(pairs[1].version.text(), "013.1");
    EXPECT_TRUE(pairs[1].down_path);
    EXPECT_EQ(pairs[2].version.text(), "014");
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

// --- One folder per migration (Diesel), verify scripts, spelling limits -----------------

TEST(Layout, DieselFolders) {
    const auto up = classified("2019-02-26-002946_create_user/up.sql");
    EXPECT_EQ(up.path, "2019-02-26-002946_create_user/up.sql");
    EXPECT_EQ(up.version, "20190226002946");
    EXPECT_EQ(up.name, "create_user");
    EXPECT_EQ(up.direction, Direction::Up);

    const auto down = classified("2019-02-26-002946_create_user/down.sql");
    EXPECT_EQ(down.version, "20190226002946");
    EXPECT_EQ(down.name, "create_user");
    EXPECT_EQ(down.direction, Direction::Down);

    const auto verify = classified("2019-02-26-002946_create_user/verify.sql");
    EXPECT_EQ(verify.version, "20190226002946");
    EXPECT_EQ(verify.direction, Direction::Verify);
}

TEST(Layout, DieselFoldersPairInVersionOrder) {
    const auto pairs = pair_files(classified_all({
        "2019-03-01-120000_add_email/up.sql",
        "2019-02-26-002946_create_user/down.sql",
        "2019-02-26-002946_create_user/verify.sql",
        "2019-02-26-002946_create_user/up.sql",
    }));
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[0].version.text(), "20190226002946");
    EXPECT_EQ(pairs[0].name, "create_user");
    EXPECT_EQ(pairs[0].up_path, "2019-02-26-002946_create_user/up.sql");
    EXPECT_EQ(pairs[0].down_path, "2019-02-26-002946_create_user/down.sql");
    EXPECT_EQ(pairs[0].verify_path, "2019-02-26-002946_create_user/verify.sql");
    EXPECT_EQ(pairs[1].version.text(), "20190301120000");
    EXPECT_EQ(pairs[1].name, "add_email");
    EXPECT_FALSE(pairs[1].down_path);
    EXPECT_FALSE(pairs[1].verify_path);
}

TEST(Layout, PlainNumberedMigrationFolder) {
    const auto up = classified("7_x/up.sql");
    EXPECT_EQ(up.version, "7");
    EXPECT_EQ(up.name, "x");
    EXPECT_EQ(up.direction, Direction::Up);
    const auto down = classified("007_add_things/down.sql");
    EXPECT_EQ(down.version, "007");
    EXPECT_EQ(down.name, "add_things");
    EXPECT_EQ(down.direction, Direction::Down);

    // A folder and a flat script for one version are two up scripts.
    EXPECT_EQ(kind_of([] { pair_files(classified_all({"7_x/up.sql", "7_y.sql"})); }),
              FailureKind::Duplicate);
}

TEST(Layout, OtherFilesInAMigrationFolderAreIgnored) {
    for (const char* path : {"7_x/README.md", "7_x/seed.sql", "7_x/upgrade.sql", "7_x/up.sql.bak",
                             "7_x/.up.sql", "7_x/1_a.sql", "7_x/V1__a.sql", "7_x/up",
                             "2019-02-26-002946_create_user/schema.sql",
                             "2019-02-26-002946_create_user/sub/up.sql"}) {
        EXPECT_FALSE(classify_path(path)) << path;
    }
}

TEST(Layout, FoldersThatDoNotLookLikeMigrationsAreIgnored) {
    for (const char* path : {"seeds/up.sql", "x_y/up.sql", "7/up.sql", "7_/up.sql", "_x/up.sql",
                             "V1__x/up.sql", "v7_x/up.sql", "2019-02-26_x/up.sql",
                             "2019-02-26-0029_x/up.sql", "docs/verify.sql", "a/b/up.sql",
                             "7_x/8_y/up.sql"}) {
        EXPECT_FALSE(classify_path(path)) << path;
    }
}

TEST(Layout, VerifyScripts) {
    const auto suffixed = classified("003_users.verify.sql");
    EXPECT_EQ(suffixed.version, "003");
    EXPECT_EQ(suffixed.name, "users");
    EXPECT_EQ(suffixed.direction, Direction::Verify);

    const auto in_folder = classified("verify/003_check_users.sql");
    EXPECT_EQ(in_folder.path, "verify/003_check_users.sql");
    EXPECT_EQ(in_folder.version, "003");
    EXPECT_EQ(in_folder.name, "check_users");
    EXPECT_EQ(in_folder.direction, Direction::Verify);

    const auto bare = classified("verify/3.sql");
    EXPECT_EQ(bare.version, "3");
    EXPECT_EQ(bare.name, "");
    EXPECT_EQ(bare.direction, Direction::Verify);

    EXPECT_FALSE(classify_path("verify/README.md"));
    EXPECT_FALSE(classify_path("verify/sub/1_a.sql"));
    EXPECT_EQ(kind_of([] { classify_path("verify/check_users.sql"); }), FailureKind::Layout);
    EXPECT_EQ(kind_of([] { classify_path("verify/V1__x.sql"); }), FailureKind::Layout);
}

TEST(Layout, VerifyScriptsPairWithTheirUpScript) {
    const auto pairs = pair_files(classified_all({
        "verify/1_check.sql",
        "1_a.sql",
        "2_b.up.sql",
        "2_b.down.sql",
        "2_b.verify.sql",
        "3_c.sql",
    }));
    ASSERT_EQ(pairs.size(), 3u);
    EXPECT_EQ(pairs[0].up_path, "1_a.sql");
    EXPECT_EQ(pairs[0].name, "a");
    EXPECT_FALSE(pairs[0].down_path);
    EXPECT_EQ(pairs[0].verify_path, "verify/1_check.sql");
    EXPECT_EQ(pairs[1].up_path, "2_b.up.sql");
    EXPECT_EQ(pairs[1].down_path, "2_b.down.sql");
    EXPECT_EQ(pairs[1].verify_path, "2_b.verify.sql");
    EXPECT_FALSE(pairs[2].verify_path);
}

TEST(Layout, AVerifyScriptWithoutUpIsRefused) {
    for (const std::vector<std::string>& paths :
         {std::vector<std::string>{"1_a.sql", "verify/2_b.sql"},
          std::vector<std::string>{"1_a.sql", "2_b.verify.sql"},
          std::vector<std::string>{"7_x/verify.sql"}}) {
        const auto failure = failure_of([&] { pair_files(classified_all(paths)); });
        ASSERT_TRUE(failure) << paths.back();
        EXPECT_EQ(failure->kind(), FailureKind::Layout) << paths.back();
        const std::string what = failure->what();
        EXPECT_EQ(what.rfind("verify script \"" + paths.back() + "\"", 0), 0u) << what;
    }
}

TEST(Layout, TwoVerifyScriptsForOneVersionAreADuplicate) {
    const auto failure = failure_of([] {
        pair_files(classified_all({"1_a.sql", "1_a.verify.sql", "verify/001_b.sql"}));
    });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Duplicate);
    EXPECT_NE(std::string(failure->what()).find("verify"), std::string::npos) << failure->what();
    EXPECT_NE(failure->detail().find("1_a.verify.sql"), std::string::npos) << failure->detail();
    EXPECT_NE(failure->detail().find("verify/001_b.sql"), std::string::npos) << failure->detail();

    EXPECT_EQ(kind_of([] {
                  pair_files(classified_all({"7_x/up.sql", "7_x/verify.sql", "verify/7_y.sql"}));
              }),
              FailureKind::Duplicate);
}

TEST(Layout, UpperCaseExtensionsAreAccepted) {
    struct Case {
        const char* path;
        const char* version;
        Direction direction;
    };
    for (const auto& c : std::vector<Case>{
             {"1_A.SQL", "1", Direction::Up},
             {"2.Sql", "2", Direction::Up},
             {"V1__x.SQL", "1", Direction::Up},
             {"v1_2__x.sql", "1.2", Direction::Up},
             {"U1__x.SQL", "1", Direction::Down},
             {"u1__x.sql", "1", Direction::Down},
             {"1_a.UP.SQL", "1", Direction::Up},
             {"1_a.Down.Sql", "1", Direction::Down},
             {"1_a.VERIFY.SQL", "1", Direction::Verify},
             {"rollback/1_a.SQL", "1", Direction::Down},
             {"verify/1_a.SQL", "1", Direction::Verify},
             {"7_x/UP.SQL", "7", Direction::Up},
             {"7_x/Down.sql", "7", Direction::Down},
             {"7_x/VERIFY.sql", "7", Direction::Verify},
         }) {
        const auto file = classify_path(c.path);
        ASSERT_TRUE(file) << c.path;
        EXPECT_EQ(file->version, c.version) << c.path;
        EXPECT_EQ(file->direction, c.direction) << c.path;
    }
    // A misspelt upper-case script is an error, not skipped.
    EXPECT_EQ(kind_of([] { classify_path("CREATE_THINGS.SQL"); }), FailureKind::Layout);
}

TEST(Layout, FileNamesOver255BytesAreRefused) {
    const std::string longest = "1_" + std::string(249, 'a') + ".sql";
    ASSERT_EQ(longest.size(), 255u);
    EXPECT_EQ(classified(longest).version, "1");
    EXPECT_EQ(classified("rollback/" + longest).direction, Direction::Down);

    const std::string too_long = "1_" + std::string(250, 'a') + ".sql";
    for (const std::string& path : {too_long, "rollback/" + too_long, "verify/" + too_long,
                                    "7_x/" + too_long, std::string(252, '1') + ".sql",
                                    "V1__" + std::string(300, 'x') + ".sql"}) {
        const auto failure = failure_of([&] { classify_path(path); });
        ASSERT_TRUE(failure) << path.size();
        EXPECT_EQ(failure->kind(), FailureKind::Layout) << path.size();
    }
    // A migration folder name over 255 bytes.
    EXPECT_EQ(kind_of([] { classify_path("7_" + std::string(300, 'x') + "/up.sql"); }),
              FailureKind::Layout);
    // Files that are not scripts are ignored whatever their length.
    EXPECT_FALSE(classify_path(std::string(300, 'x') + ".txt"));
}
