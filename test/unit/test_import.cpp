#include "core/folder/import.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

using ms::core::Applied;
using ms::core::FailureKind;
using ms::core::ForeignRecord;
using ms::core::import_outcome_name;
using ms::core::import_source_name;
using ms::core::ImportLine;
using ms::core::ImportOutcome;
using ms::core::ImportSource;
using ms::core::parse_import_source;
using ms::core::plan_import;
using ms::core::Registered;
using ms::test::failure_of;
using ms::test::kind_of;

namespace {

using Status = ForeignRecord::Status;

Registered reg(const std::string& version, const std::string& name) {
    return Registered{version, name, "sum-" + version, true};
}

// The four migrations every tool applied the first three of, in the regression tests too.
std::vector<Registered> four(const std::vector<std::string>& v = {"1", "2", "3", "4"}) {
    return {reg(v[0], "create_users"), reg(v[1], "add_email"), reg(v[2], "add_index"),
            reg(v[3], "add_orders")};
}

ForeignRecord rec(const std::string& key, Status status = Status::Applied) {
    return ForeignRecord{key, {}, status};
}

ForeignRecord rec_alt(const std::string& key, const std::string& alternate,
                      Status status = Status::Applied) {
    return ForeignRecord{key, alternate, status};
}

// One line as "version|source_key|outcome" ("-" for no version), so whole plans compare.
std::string show(const ImportLine& line) {
    return line.version.value_or("-") + "|" + line.source_key + "|" +
           import_outcome_name(line.outcome);
}

using Lines = std::vector<std::string>;

Lines shown(const std::vector<ImportLine>& lines) {
    Lines out;
    for (const auto& l : lines)
        out.push_back(show(l));
    return out;
}

const std::vector<std::pair<const char*, ImportSource>> all_sources = {
    {"flyway", ImportSource::Flyway},
    {"golang-migrate", ImportSource::GolangMigrate},
    {"dbmate", ImportSource::Dbmate},
    {"node-pg-migrate", ImportSource::NodePgMigrate},
    {"typeorm", ImportSource::TypeOrm},
    {"sqitch", ImportSource::Sqitch},
    {"liquibase", ImportSource::Liquibase},
    {"schema_migrations", ImportSource::SchemaMigrations},
};

}  // namespace

TEST(ImportSource, EveryKnownNameParsesAndPrintsBack) {
    for (const auto& [name, source] : all_sources) {
        EXPECT_EQ(parse_import_source(name), source) << name;
        EXPECT_STREQ(import_source_name(source), name);
    }
}

TEST(ImportSource, UnknownNameIsInvalidAndTheHintListsTheKnownOnes) {
    for (const char* name : {"rails", "Flyway", "golang_migrate", "flyway ", "", "liquibase\n"}) {
        const auto failure = failure_of([&] { parse_import_source(name); });
        ASSERT_TRUE(failure) << name;
        EXPECT_EQ(failure->kind(), FailureKind::InvalidValue) << name;
        EXPECT_NE(std::string(failure->what()).find("\"" + std::string(name) + "\""),
                  std::string::npos)
            << failure->what();
        for (const auto& [known, source] : all_sources)
            EXPECT_NE(failure->hint().find(known), std::string::npos) << failure->hint();
    }
}

TEST(ImportOutcome, Names) {
    EXPECT_STREQ(import_outcome_name(ImportOutcome::Imported), "imported");
    EXPECT_STREQ(import_outcome_name(ImportOutcome::AlreadyApplied), "already applied");
    EXPECT_STREQ(import_outcome_name(ImportOutcome::NotRegistered), "not registered");
}

TEST(PlanImport, MatchesByVersionInAnySpelling) {
    const auto lines = plan_import(ImportSource::Flyway, {rec("1"), rec("002"), rec("3")},
                                   four({"001", "2", "3", "4"}), {});
    EXPECT_EQ(shown(lines), (Lines{"001|1|imported", "2|002|imported", "3|3|imported"}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].name, "create_users");
    EXPECT_EQ(lines[2].name, "add_index");
}

TEST(PlanImport, FlywayDottedVersions) {
    const auto lines = plan_import(ImportSource::Flyway, {rec("1"), rec("1.1"), rec("1.10")},
                                   {reg("1", "a"), reg("1.1", "b"), reg("1.10", "c"), reg("1.2", "d")},
                                   {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported", "1.1|1.1|imported", "1.10|1.10|imported"}));
}

TEST(PlanImport, SqitchChangesMatchByName) {
    const auto lines = plan_import(ImportSource::Sqitch,
                                   {rec("add_email"), rec("create_users"), rec("add_index")},
                                   four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|create_users|imported", "2|add_email|imported",
                                   "3|add_index|imported"}));
    EXPECT_EQ(lines[1].name, "add_email");
}

TEST(PlanImport, NodePgMigrateNamesStartWithTheVersion) {
    const auto lines = plan_import(
        ImportSource::NodePgMigrate,
        {rec("1_create_users"), rec("2-add-email"), rec("1700000000000_create-orders")},
        {reg("1", "x"), reg("2", "y"), reg("1700000000000", "z")}, {});
    EXPECT_EQ(shown(lines),
              (Lines{"1|1_create_users|imported", "2|2-add-email|imported",
                     "1700000000000|1700000000000_create-orders|imported"}));
}

TEST(PlanImport, FileNamesStartingWithTheVersion) {
    const auto lines = plan_import(ImportSource::SchemaMigrations,
                                   {rec("001_create_users.sql"), rec("002.sql")},
                                   four({"001", "002", "003", "004"}), {});
    EXPECT_EQ(shown(lines),
              (Lines{"001|001_create_users.sql|imported", "002|002.sql|imported"}));
}

TEST(PlanImport, FlywayFileNameGivesADottedVersion) {
    const auto lines = plan_import(ImportSource::SchemaMigrations,
                                   {rec("V1_2__x.sql"), rec("db/migration/V3__y.sql")},
                                   {reg("1", "a"), reg("1.2", "x"), reg("3", "y")}, {});
    EXPECT_EQ(shown(lines), (Lines{"1.2|V1_2__x.sql|imported", "3|db/migration/V3__y.sql|imported"}));
}

TEST(PlanImport, ANameThatOnlyContainsAVersionDoesNotMatch) {
    const auto lines = plan_import(ImportSource::SchemaMigrations,
                                   {rec("create_users_1"), rec("x1.sql"), rec("12abc.sql")},
                                   {reg("1", "a"), reg("12", "b")}, {});
    EXPECT_EQ(shown(lines), (Lines{"-|create_users_1|not registered", "-|x1.sql|not registered",
                                   "-|12abc.sql|not registered"}));
}

TEST(PlanImport, LiquibaseFindsTheVersionInItsFileName) {
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("alice-1", "db/changelog/001_create_users.sql"),
         rec_alt("add-email", "db/changelog/002_add_email.sql")},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|alice-1|imported", "2|add-email|imported"}));
    EXPECT_EQ(lines[1].name, "add_email");
}

TEST(PlanImport, LiquibaseChangesetIdsRestartInEveryFile) {
    // A changeset is identified by id, author and file: "--changeset alice:1" in every
    // formatted-SQL file is common. Each file is its own migration.
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("1", "db/changelog/001_create_users.sql"),
         rec_alt("1", "db/changelog/002_add_email.sql"),
         rec_alt("1", "db/changelog/003_add_index.sql")},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported", "2|1|imported", "3|1|imported"}));
}

TEST(PlanImport, LiquibaseSeveralChangesetsInOneFileAreOneMigration) {
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("1", "db/changelog/001_create_users.sql"),
         rec_alt("2", "db/changelog/001_create_users.sql"),
         rec_alt("3", "db/changelog/001_create_users.sql")},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported"}));
}

TEST(PlanImport, LiquibaseFileWithAnUnregisteredVersionIsNotMatchedByItsId) {
    // The id "1" of a changeset in 009_z.sql says nothing about migration 1.
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("1", "db/changelog/002_add_email.sql"), rec_alt("1", "db/changelog/009_z.sql")},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"2|1|imported", "-|1|not registered"}));
}

TEST(PlanImport, LiquibaseUndoneIsPerFile) {
    // SKIPPED in one file does not undo the changeset with the same id in another.
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("1", "db/changelog/001_create_users.sql"),
         rec_alt("1", "db/changelog/002_add_email.sql", Status::Undone)},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported"}));
}

TEST(PlanImport, LiquibaseMasterChangelogFallsBackToTheId) {
    const auto lines = plan_import(
        ImportSource::Liquibase,
        {rec_alt("1", "db/changelog/db.changelog-master.yaml"),
         rec_alt("2", "db/changelog/db.changelog-master.yaml")},
        four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported", "2|2|imported"}));
}

TEST(PlanImport, GolangMigrateCurrentVersionImportsEverythingUpToIt) {
    const auto lines = plan_import(ImportSource::GolangMigrate, {rec("3")}, four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|3|imported", "2|3|imported", "3|3|imported"}));
    // Natural order: 10 is above 9, and 1.5 below 2.
    const auto natural = plan_import(ImportSource::GolangMigrate, {rec("9")},
                                     {reg("1.5", "a"), reg("2", "b"), reg("9", "c"), reg("10", "d")},
                                     {});
    EXPECT_EQ(shown(natural), (Lines{"1.5|9|imported", "2|9|imported", "9|9|imported"}));
}

TEST(PlanImport, GolangMigrateUnregisteredCurrentVersion) {
    const auto lines =
        plan_import(ImportSource::GolangMigrate, {rec("4")}, {reg("1", "a"), reg("2", "b"), reg("5", "c")}, {});
    EXPECT_EQ(shown(lines), (Lines{"1|4|imported", "2|4|imported", "-|4|not registered"}));
    // Below everything registered: nothing is imported, and the record is reported.
    EXPECT_EQ(shown(plan_import(ImportSource::GolangMigrate, {rec("0")}, four(), {})),
              (Lines{"-|0|not registered"}));
}

TEST(PlanImport, OnlyGolangMigrateImpliesTheVersionsBelow) {
    for (const auto source : {ImportSource::Dbmate, ImportSource::Flyway,
                              ImportSource::SchemaMigrations, ImportSource::TypeOrm}) {
        EXPECT_EQ(shown(plan_import(source, {rec("3")}, four(), {})), (Lines{"3|3|imported"}))
            << import_source_name(source);
    }
}

TEST(PlanImport, AFailedOrDirtyRecordRefusesTheWholeImport) {
    const auto failed = failure_of([] {
        plan_import(ImportSource::Flyway, {rec("1"), rec("2"), rec("4", Status::Failed)}, four(),
                    {});
    });
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->kind(), FailureKind::Conflict);
    EXPECT_NE(std::string(failed->what()).find("4"), std::string::npos) << failed->what();
    EXPECT_NE(std::string(failed->what()).find("flyway"), std::string::npos) << failed->what();
    EXPECT_FALSE(failed->hint().empty());

    const auto dirty = failure_of(
        [] { plan_import(ImportSource::GolangMigrate, {rec("3", Status::Dirty)}, four(), {}); });
    ASSERT_TRUE(dirty);
    EXPECT_EQ(dirty->kind(), FailureKind::Conflict);
    EXPECT_NE(std::string(dirty->what()).find("dirty"), std::string::npos) << dirty->what();

    // Even when a later record of the key succeeded, and even for an unregistered key.
    EXPECT_EQ(kind_of([] {
                  plan_import(ImportSource::Flyway,
                              {rec("2", Status::Failed), rec("2", Status::Applied)}, four(), {});
              }),
              FailureKind::Conflict);
    EXPECT_EQ(kind_of([] {
                  plan_import(ImportSource::Liquibase,
                              {rec_alt("x", "db/changelog/099_x.sql", Status::Failed)}, four(), {});
              }),
              FailureKind::Conflict);
}

TEST(PlanImport, TheLastRecordOfAKeyDecides) {
    // Flyway records an undo after the apply it undoes.
    EXPECT_EQ(shown(plan_import(ImportSource::Flyway,
                                {rec("1"), rec("2"), rec("2", Status::Undone)}, four(), {})),
              (Lines{"1|1|imported"}));
    // Applied again after the undo.
    EXPECT_EQ(shown(plan_import(ImportSource::Flyway,
                                {rec("1"), rec("2"), rec("2", Status::Undone), rec("2")}, four(),
                                {})),
              (Lines{"1|1|imported", "2|2|imported"}));
    // An undone record alone imports nothing and is not reported as unmatched.
    EXPECT_TRUE(plan_import(ImportSource::Flyway, {rec("9", Status::Undone)}, four(), {}).empty());
}

TEST(PlanImport, AlreadyAppliedIsReportedNotImportedAgain) {
    const auto lines = plan_import(ImportSource::Dbmate, {rec("1"), rec("2"), rec("3")}, four(),
                                   {Applied{"001", "sum-1"}, Applied{"3", "sum-3"}});
    EXPECT_EQ(shown(lines),
              (Lines{"1|1|already applied", "2|2|imported", "3|3|already applied"}));
}

TEST(PlanImport, UnmatchedRecordsComeLastInRecordOrder) {
    const auto lines = plan_import(
        ImportSource::SchemaMigrations,
        {rec("9"), rec("2"), rec("zzz_unknown.sql"), rec("1"), rec("9"), rec("1.0")}, four(), {});
    EXPECT_EQ(shown(lines), (Lines{"1|1|imported", "2|2|imported", "-|9|not registered",
                                   "-|zzz_unknown.sql|not registered", "-|1.0|not registered"}));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_FALSE(lines[2].version);
    EXPECT_TRUE(lines[2].name.empty());
}

TEST(PlanImport, MatchedLinesInVersionOrderAndOnePerVersion) {
    // "10" sorts before "2" and "9" as text; versions sort as numbers.
    const auto lines = plan_import(
        ImportSource::SchemaMigrations,
        {rec("10"), rec("9_again.sql"), rec("2"), rec("9"), rec("002_second_spelling.sql")},
        {reg("2", "b"), reg("9", "c"), reg("10", "d")}, {});
    EXPECT_EQ(shown(lines),
              (Lines{"2|2|imported", "9|9_again.sql|imported", "10|10|imported"}));
}

TEST(PlanImport, NothingToImport) {
    EXPECT_TRUE(plan_import(ImportSource::Flyway, {}, four(), {}).empty());
    EXPECT_EQ(shown(plan_import(ImportSource::Flyway, {rec("1")}, {}, {})),
              (Lines{"-|1|not registered"}));
}

TEST(ImportMapping, ATableWithItsColumns) {
    const auto m = ms::core::parse_table_mapping("migrations_log(name, run_at)");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->schema, std::nullopt);
    EXPECT_EQ(m->table, "migrations_log");
    EXPECT_EQ(m->key_column, "name");
    EXPECT_EQ(m->applied_at_column, std::optional<std::string>("run_at"));
    EXPECT_EQ(parse_import_source("migrations_log(name, run_at)"), ImportSource::Table);
}

TEST(ImportMapping, NamesAreSpeltAsSqlSpellsThem) {
    const auto m = ms::core::parse_table_mapping(" App.\"Log\"( Version ) ");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->schema, std::optional<std::string>("app"));
    EXPECT_EQ(m->table, "Log");
    EXPECT_EQ(m->key_column, "version");
    EXPECT_EQ(m->applied_at_column, std::nullopt);
    const auto q = ms::core::parse_table_mapping("\"a \"\"b\"\"\"(\"x,y\", \"At\")");
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(q->table, "a \"b\"");
    EXPECT_EQ(q->key_column, "x,y");
    EXPECT_EQ(q->applied_at_column, std::optional<std::string>("At"));
}

TEST(ImportMapping, AKnownToolIsNoMapping) {
    EXPECT_EQ(ms::core::parse_table_mapping("flyway"), std::nullopt);
    EXPECT_EQ(parse_import_source("flyway"), ImportSource::Flyway);
    // "table" alone names no table.
    EXPECT_EQ(kind_of([] { parse_import_source("table"); }), FailureKind::InvalidValue);
}

TEST(ImportMapping, MalformedMappingsAreRefused) {
    for (const char* bad : {"log(", "log()", "log(a, b, c)", "log(a) x", "(a)", "log(\"a)",
                            "log(a;b)", "log(\"\")", "s.(a)", "log(a,)"})
        EXPECT_EQ(kind_of([&] { ms::core::parse_table_mapping(bad); }), FailureKind::InvalidValue)
            << bad;
}

TEST(ImportMapping, MappedRowsMatchByVersionNameOrFileName) {
    const std::vector<ms::core::Registered> registered{
        {"1", "create_users", "c1", true}, {"2", "add_email", "c2", true}, {"3", "add_index", "c3", true}};
    const std::vector<ForeignRecord> records{{"002_add_email.sql", "", ForeignRecord::Status::Applied},
                                             {"1", "", ForeignRecord::Status::Applied},
                                             {"add_index", "", ForeignRecord::Status::Applied},
                                             {"099_unknown.sql", "", ForeignRecord::Status::Applied}};
    const auto lines = ms::core::plan_import(ImportSource::Table, records, registered, {});
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].version, std::optional<std::string>("1"));
    EXPECT_EQ(lines[1].version, std::optional<std::string>("2"));
    EXPECT_EQ(lines[2].version, std::optional<std::string>("3"));
    EXPECT_EQ(lines[3].outcome, ImportOutcome::NotRegistered);
}
