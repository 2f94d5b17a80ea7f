#include "core/folder/new_migration.hpp"

#include "core/base/version.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using ms::core::detect_layout;
using ms::core::FailureKind;
using ms::core::FolderLayout;
using ms::core::plan_new_migration;
using ms::test::kind_of;

namespace {
const char* const now = "20261201113000";
}

TEST(NewMigration, DetectsEachLayout) {
    EXPECT_EQ(detect_layout({"001_a.sql", "rollback/001_a.sql", "README.md"}), FolderLayout::Numbered);
    EXPECT_EQ(detect_layout({"1_a.up.sql", "1_a.down.sql"}), FolderLayout::Golang);
    EXPECT_EQ(detect_layout({"V1__a.sql", "U1__a.sql"}), FolderLayout::Flyway);
    EXPECT_EQ(detect_layout({"2019-02-26-002946_a/up.sql", "2019-02-26-002946_a/down.sql"}),
              FolderLayout::Diesel);
    EXPECT_EQ(detect_layout({"README.md", "seed/data.csv"}), std::nullopt);
    EXPECT_EQ(kind_of([] { detect_layout({"001_a.sql", "2_b.up.sql"}); }), FailureKind::Layout);
}

TEST(NewMigration, NumbersContinueWithTheFolderPadding) {
    const auto m = plan_new_migration(FolderLayout::Numbered,
                                      {"001_a.sql", "009_b.sql", "009.1_fix.sql", "rollback/001_a.sql"},
                                      "Add Orders.email!", now);
    EXPECT_EQ(m.version, "010");
    EXPECT_EQ(m.up_path, "010_add_orders_email.sql");
    EXPECT_EQ(m.down_path, "rollback/010_add_orders_email.sql");
    EXPECT_EQ(m.folders, (std::vector<std::string>{"rollback"}));
    EXPECT_EQ(plan_new_migration(FolderLayout::Golang, {"7_a.up.sql"}, "b", now).up_path, "8_b.up.sql");
    EXPECT_EQ(plan_new_migration(FolderLayout::Flyway, {"V2__a.sql", "U2__a.sql"}, "b", now).down_path,
              "U3__b.sql");
    EXPECT_EQ(plan_new_migration(FolderLayout::Numbered, {}, "first", now).up_path, "1_first.sql");
}

TEST(NewMigration, TimestampsTakeNow) {
    const auto m = plan_new_migration(FolderLayout::Golang,
                                      {"20240101120000_a.up.sql", "20240101120000_a.down.sql"}, "b", now);
    EXPECT_EQ(m.version, now);
    EXPECT_EQ(m.down_path, std::string(now) + "_b.down.sql");
    const auto d = plan_new_migration(FolderLayout::Diesel, {}, "create users", now);
    EXPECT_EQ(d.up_path, "2026-12-01-113000_create_users/up.sql");
    EXPECT_EQ(d.folders, (std::vector<std::string>{"2026-12-01-113000_create_users"}));
    EXPECT_EQ(kind_of([] {
                  plan_new_migration(FolderLayout::Golang, {"20991231000000_a.up.sql"}, "b", now);
              }),
              FailureKind::Conflict);
}

TEST(NewMigration, EpochMillisecondsContinueAsEpochMilliseconds) {
    // A converted TypeORM folder: 13-digit versions, milliseconds since the epoch.
    const std::vector<std::string> typeorm{"1700000000000_create_users.up.sql",
                                           "1700000000000_create_users.down.sql",
                                           "1733300000000_add_email.up.sql"};
    const auto m = plan_new_migration(FolderLayout::Golang, typeorm, "add orders", now,
                                      "1764848000000");
    EXPECT_EQ(m.version, "1764848000000");
    EXPECT_EQ(m.up_path, "1764848000000_add_orders.up.sql");
    // A class converted later, with an epoch version older than now, sorts before it, as in
    // TypeORM; a 14-digit date-time version would have sorted after every such class.
    EXPECT_TRUE(ms::core::Version::parse("1764000000000") < ms::core::Version::parse(m.version));
    EXPECT_EQ(kind_of([&] {
                  plan_new_migration(FolderLayout::Golang, {"1799999999999_a.up.sql"}, "b", now,
                                     "1764848000000");
              }),
              FailureKind::Conflict);
    // Date-time folders keep date-times.
    EXPECT_EQ(plan_new_migration(FolderLayout::Golang, {"20240101120000_a.up.sql"}, "b", now,
                                 "1764848000000")
                  .version,
              now);
}

TEST(NewMigration, AFolderWithoutDownScriptsGetsNone) {
    const auto m = plan_new_migration(FolderLayout::Numbered, {"001_a.sql", "002_b.sql"}, "c", now);
    EXPECT_EQ(m.up_path, "003_c.sql");
    EXPECT_EQ(m.down_path, "");
    EXPECT_TRUE(m.folders.empty());
    EXPECT_EQ(plan_new_migration(FolderLayout::Golang, {"7_a.up.sql"}, "b", now).down_path, "");
    EXPECT_EQ(plan_new_migration(FolderLayout::Flyway, {"V2__a.sql"}, "b", now).down_path, "");
    // One down script anywhere, or an empty folder: down scripts are written.
    EXPECT_EQ(plan_new_migration(FolderLayout::Numbered, {"001_a.sql", "002_b.sql", "rollback/001_a.sql"},
                                 "c", now)
                  .down_path,
              "rollback/003_c.sql");
    EXPECT_EQ(plan_new_migration(FolderLayout::Numbered, {}, "first", now).down_path,
              "rollback/1_first.sql");
    // Diesel needs down.sql in every migration folder.
    EXPECT_EQ(plan_new_migration(FolderLayout::Diesel, {"2024-01-01-000000_a/up.sql"}, "b", now)
                  .down_path,
              "2026-12-01-113000_b/down.sql");
}

TEST(NewMigration, ANameWithoutLettersIsRefused) {
    EXPECT_EQ(kind_of([] { plan_new_migration(FolderLayout::Numbered, {}, "--!", now); }),
              FailureKind::InvalidValue);
}
