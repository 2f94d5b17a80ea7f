#include "core/folder/folder.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using ms::core::FailureKind;
using ms::core::read_folder;
using ms::test::failure_of;
using ms::test::kind_of;

namespace {

// A fresh directory under /tmp, removed with everything in it when the test ends.
class TempDir {
public:
    TempDir() {
        std::string pattern = "/tmp/ms_core_test_XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        // Undo chmod 000 so that remove_all can enter everything.
        for (auto it = fs::recursive_directory_iterator(path_, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (!it->is_symlink())
                fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

    fs::path write(const std::string& relative, const std::string& content) const {
        const fs::path file = path_ / relative;
        fs::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary);
        out << content;
        if (!out)
            throw std::runtime_error("could not write " + file.string());
        return file;
    }

private:
    fs::path path_;
};

}  // namespace

TEST(Folder, ReadsPlainLayoutWithRollbackScripts) {
    TempDir dir;
    dir.write("010_c.sql", "SELECT 10;\n");
    dir.write("001_a.sql", "SELECT 1;\n");
    dir.write("002_b.sql", "SELECT 2;\n");
    dir.write("rollback/001_undo_a.sql", "SELECT -1;\n");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 3u);
    EXPECT_EQ(migrations[0].files.version.canonical(), "1");
    EXPECT_EQ(migrations[0].up_sql, "SELECT 1;\n");
    EXPECT_EQ(migrations[0].down_sql, "SELECT -1;\n");
    EXPECT_EQ(migrations[1].files.up_path, "002_b.sql");
    EXPECT_FALSE(migrations[1].down_sql);
    EXPECT_EQ(migrations[2].files.version.canonical(), "10");
    EXPECT_EQ(migrations[2].up_sql, "SELECT 10;\n");
}

TEST(Folder, ContentIsReadByteForByte) {
    TempDir dir;
    // Line endings are the checksum's business, not the reader's; NUL and high bytes too.
    const std::string up = std::string("CREATE TABLE t ();\r\n-- caf\xc3\xa9\r\r\n\0x", 30);
    const std::string down = "DROP TABLE t;\r\n";
    dir.write("1_t.up.sql", up);
    dir.write("1_t.down.sql", down);
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_EQ(migrations[0].up_sql, up);
    EXPECT_EQ(migrations[0].down_sql, down);
}

TEST(Folder, EmptyScriptsAndEmptyFolders) {
    TempDir dir;
    EXPECT_TRUE(read_folder(dir.str()).empty());
    dir.write("1_empty.sql", "");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_EQ(migrations[0].up_sql, "");
}

TEST(Folder, OtherFilesHiddenFilesAndSubfoldersAreIgnored) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    dir.write("README.md", "not a migration");
    dir.write(".2_hidden.sql", "hidden");
    dir.write("drafts/3_draft.sql", "draft");
    dir.write("rollback/notes.txt", "notes");
    dir.write("rollback/old/1_x.sql", "old");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_EQ(migrations[0].files.up_path, "1_a.sql");
    EXPECT_FALSE(migrations[0].down_sql);
}

TEST(Folder, ExistingFixturesRead) {
    const auto plain = read_folder(FIXTURES_DIR "/plain");
    ASSERT_EQ(plain.size(), 3u);
    EXPECT_TRUE(plain[0].down_sql);
    EXPECT_TRUE(plain[1].down_sql);
    EXPECT_FALSE(plain[2].down_sql);
    EXPECT_EQ(plain[2].files.version.canonical(), "10");

    const auto flyway = read_folder(FIXTURES_DIR "/flyway");
    ASSERT_EQ(flyway.size(), 3u);
    EXPECT_EQ(flyway[1].files.version.canonical(), "1.1");
    EXPECT_FALSE(flyway[1].down_sql);

    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_link_out"); }), FailureKind::Forbidden);
    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_rollback_link"); }),
              FailureKind::Forbidden);
    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_nonregular"); }), FailureKind::Io);
    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_two_ups"); }), FailureKind::Duplicate);
    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_unrecognised"); }), FailureKind::Layout);
    EXPECT_EQ(kind_of([] { read_folder(FIXTURES_DIR "/bad_down_only"); }), FailureKind::Layout);
}

TEST(Folder, LinkToAFileOutsideIsForbidden) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_symlink("/etc/hostname", dir.path() / "2_outside.sql");
    const auto failure = failure_of([&] { read_folder(dir.str()); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Forbidden);
    EXPECT_NE(std::string(failure->what()).find("2_outside.sql"), std::string::npos);
}

TEST(Folder, RelativeLinkClimbingOutIsForbidden) {
    TempDir outside;
    outside.write("secret.sql", "SELECT 'secret';");
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_symlink(fs::path("..") / outside.path().filename() / "secret.sql",
                       dir.path() / "2_b.sql");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, LinkToASiblingWithACommonPrefixIsForbidden) {
    // /tmp/x_more is not inside /tmp/x, whatever a string prefix test would say.
    TempDir dir;
    dir.write("1_a.sql", "a");
    const fs::path sibling = dir.str() + "_more";
    fs::create_directory(sibling);
    std::ofstream(sibling / "b.sql") << "b";
    fs::create_symlink(sibling / "b.sql", dir.path() / "2_b.sql");
    const auto kind = kind_of([&] { read_folder(dir.str()); });
    fs::remove_all(sibling);
    EXPECT_EQ(kind, FailureKind::Forbidden);
}

TEST(Folder, ChainOfLinksEndingOutsideIsForbidden) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_symlink("/etc/hostname", dir.path() / "hop");
    fs::create_symlink(dir.path() / "hop", dir.path() / "2_b.sql");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, LinkInRollbackLeavingTheFolderIsForbidden) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_directory(dir.path() / "rollback");
    fs::create_symlink("/etc/hostname", dir.path() / "rollback" / "1_a.sql");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, RollbackFolderMustNotBeALink) {
    TempDir elsewhere;
    elsewhere.write("1_undo.sql", "undo");
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_directory_symlink(elsewhere.path(), dir.path() / "rollback");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, LinkInsideTheFolderIsAllowed) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    dir.write("shared/common.sql", "SELECT 'shared';");
    fs::create_symlink("shared/common.sql", dir.path() / "2_b.sql");
    fs::create_symlink(dir.path() / "1_a.sql", dir.path() / "3_c.sql");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 3u);
    EXPECT_EQ(migrations[1].up_sql, "SELECT 'shared';");
    EXPECT_EQ(migrations[2].up_sql, "a");
}

TEST(Folder, FolderGivenThroughALinkReadsItsOwnFiles) {
    TempDir dir;
    dir.write("real/1_a.sql", "a");
    fs::create_symlink("../real/1_a.sql", dir.path() / "real" / "2_b.sql");
    fs::create_directory_symlink(dir.path() / "real", dir.path() / "alias");
    const auto migrations = read_folder((dir.path() / "alias").string());
    ASSERT_EQ(migrations.size(), 2u);
    EXPECT_EQ(migrations[1].up_sql, "a");
}

TEST(Folder, DanglingLinkIsAnIoError) {
    TempDir dir;
    fs::create_symlink(dir.path() / "nowhere.sql", dir.path() / "1_a.sql");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Io);
}

TEST(Folder, DirectoryNamedLikeAScriptIsRefused) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_directory(dir.path() / "2_x.sql");
    const auto failure = failure_of([&] { read_folder(dir.str()); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Io);
    EXPECT_NE(std::string(failure->what()).find("2_x.sql"), std::string::npos);
}

TEST(Folder, FifoIsRefusedWithoutBlocking) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    ASSERT_EQ(mkfifo((dir.path() / "2_pipe.sql").c_str(), 0600), 0);
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Io);
}

TEST(Folder, FifoAsDownScriptIsRefused) {
    TempDir dir;
    dir.write("1_a.up.sql", "a");
    ASSERT_EQ(mkfifo((dir.path() / "1_a.down.sql").c_str(), 0600), 0);
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Io);
}

TEST(Folder, RelativeOrEmptyPathIsInvalid) {
    EXPECT_EQ(kind_of([] { read_folder("migrations"); }), FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([] { read_folder("./migrations"); }), FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([] { read_folder("../tmp"); }), FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([] { read_folder(""); }), FailureKind::InvalidValue);
}

TEST(Folder, MissingFolderOrAFileIsAnIoError) {
    TempDir dir;
    EXPECT_EQ(kind_of([&] { read_folder(dir.str() + "/absent"); }), FailureKind::Io);
    const auto file = dir.write("1_a.sql", "a");
    EXPECT_EQ(kind_of([&] { read_folder(file.string()); }), FailureKind::Io);
}

TEST(Folder, UnreadableScriptIsAnIoError) {
    if (geteuid() == 0)
        GTEST_SKIP() << "root reads files whatever their permissions";
    TempDir dir;
    const auto file = dir.write("1_a.sql", "a");
    fs::permissions(file, fs::perms::none);
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Io);
}

TEST(Folder, UnlistableFolderIsAnIoError) {
    if (geteuid() == 0)
        GTEST_SKIP() << "root lists folders whatever their permissions";
    TempDir dir;
    dir.write("sub/1_a.sql", "a");
    fs::permissions(dir.path() / "sub", fs::perms::owner_exec);
    EXPECT_EQ(kind_of([&] { read_folder((dir.path() / "sub").string()); }), FailureKind::Io);
}

TEST(Folder, LayoutErrorsComeThrough) {
    TempDir dir;
    dir.write("1_first.sql", "a");
    dir.write("001_second.sql", "b");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Duplicate);

    TempDir misspelt;
    misspelt.write("1_a.sql", "a");
    misspelt.write("2a_b.sql", "b");
    EXPECT_EQ(kind_of([&] { read_folder(misspelt.str()); }), FailureKind::Layout);
}

TEST(Folder, ReadsVerifyScripts) {
    TempDir dir;
    dir.write("1_a.sql", "SELECT 1;");
    dir.write("1_a.verify.sql", "SELECT 'verify 1';");
    dir.write("2_b.sql", "SELECT 2;");
    dir.write("verify/002_check_b.sql", "SELECT 'verify 2';");
    dir.write("verify/notes.txt", "not a script");
    dir.write("3_c.sql", "SELECT 3;");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 3u);
    EXPECT_EQ(migrations[0].files.verify_path, "1_a.verify.sql");
    EXPECT_EQ(migrations[0].verify_sql, "SELECT 'verify 1';");
    EXPECT_EQ(migrations[0].up_sql, "SELECT 1;");
    EXPECT_FALSE(migrations[0].down_sql);
    EXPECT_EQ(migrations[1].files.verify_path, "verify/002_check_b.sql");
    EXPECT_EQ(migrations[1].verify_sql, "SELECT 'verify 2';");
    EXPECT_FALSE(migrations[2].verify_sql);
}

TEST(Folder, AVerifyScriptWithoutUpIsALayoutError) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    dir.write("verify/2_b.sql", "b");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Layout);
}

TEST(Folder, ReadsDieselFolders) {
    TempDir dir;
    dir.write("2019-02-26-002946_create_user/up.sql", "CREATE TABLE users ();");
    dir.write("2019-02-26-002946_create_user/down.sql", "DROP TABLE users;");
    dir.write("2019-02-26-002946_create_user/verify.sql", "SELECT 'users'::regclass;");
    dir.write("2019-02-26-002946_create_user/README.md", "notes");
    dir.write("2019-03-01-120000_add_email/up.sql", "ALTER TABLE users ADD email text;");
    dir.write("2019-03-01-120000_add_email/seed.sql", "not a migration script");
    dir.write("docs/up.sql", "not a migration folder");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 2u);
    EXPECT_EQ(migrations[0].files.version.text(), "20190226002946");
    EXPECT_EQ(migrations[0].files.name, "create_user");
    EXPECT_EQ(migrations[0].files.up_path, "2019-02-26-002946_create_user/up.sql");
    EXPECT_EQ(migrations[0].up_sql, "CREATE TABLE users ();");
    EXPECT_EQ(migrations[0].down_sql, "DROP TABLE users;");
    EXPECT_EQ(migrations[0].verify_sql, "SELECT 'users'::regclass;");
    EXPECT_EQ(migrations[1].files.version.text(), "20190301120000");
    EXPECT_EQ(migrations[1].files.name, "add_email");
    EXPECT_EQ(migrations[1].up_sql, "ALTER TABLE users ADD email text;");
    EXPECT_FALSE(migrations[1].down_sql);
    EXPECT_FALSE(migrations[1].verify_sql);
}

TEST(Folder, NumberedMigrationFoldersMixWithFlatScripts) {
    TempDir dir;
    dir.write("1_a.sql", "a");
    dir.write("2_b/up.sql", "b");
    dir.write("2_b/down.sql", "undo b");
    const auto migrations = read_folder(dir.str());
    ASSERT_EQ(migrations.size(), 2u);
    EXPECT_EQ(migrations[1].files.version.text(), "2");
    EXPECT_EQ(migrations[1].up_sql, "b");
    EXPECT_EQ(migrations[1].down_sql, "undo b");
}

TEST(Folder, VerifyFolderMustNotBeALink) {
    TempDir elsewhere;
    elsewhere.write("1_check.sql", "check");
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_directory_symlink(elsewhere.path(), dir.path() / "verify");
    const auto failure = failure_of([&] { read_folder(dir.str()); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Forbidden);
    EXPECT_NE(std::string(failure->what()).find("verify"), std::string::npos) << failure->what();
}

TEST(Folder, VerifyFolderLinkingInsideIsStillForbidden) {
    // The rule is about the link, not where it points.
    TempDir dir;
    dir.write("1_a.sql", "a");
    dir.write("checks/1_check.sql", "check");
    fs::create_directory_symlink(dir.path() / "checks", dir.path() / "verify");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, MigrationFolderLinkLeavingTheFolderIsForbidden) {
    TempDir elsewhere;
    elsewhere.write("up.sql", "SELECT 'outside';");
    TempDir dir;
    dir.write("1_a.sql", "a");
    fs::create_directory_symlink(elsewhere.path(), dir.path() / "2_b");
    EXPECT_EQ(kind_of([&] { read_folder(dir.str()); }), FailureKind::Forbidden);
}

TEST(Folder, ByteOrderMarksAreDroppedAndNulBytesRefusedWithTheirLine) {
    const auto bom = read_folder(FIXTURES_DIR "/bom");
    ASSERT_EQ(bom.size(), 1u);
    EXPECT_EQ(bom[0].up_sql, "CREATE TABLE bom_t (id int);\n");
    EXPECT_EQ(bom[0].down_sql, std::optional<std::string>("DROP TABLE bom_t;\n"));

    const auto f = failure_of([] { read_folder(FIXTURES_DIR "/bad_nul"); });
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind(), FailureKind::BadText);
    EXPECT_NE(std::string(f->what()).find("001_nul.sql"), std::string::npos);
    EXPECT_EQ(f->detail(), "At line 3.");
}
