#include "core/plan/validation.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

using ms::core::Applied;
using ms::core::AppliedKind;
using ms::core::FailureKind;
using ms::core::Problem;
using ms::core::Registered;
using ms::core::Severity;
using ms::core::severity_name;
using ms::core::validate;
using ms::core::Version;
using ms::test::kind_of;

namespace {

Registered reg(const std::string& version, bool has_down = true) {
    return Registered{version, "m" + version, "sum-" + version, has_down};
}

Applied done(const std::string& version) {
    return Applied{version, "sum-" + version};
}

Applied done_differently(const std::string& version) {
    return Applied{version, "old-sum-" + version};
}

// Applied under another spelling of a registered version, with its checksum.
Applied done_as(const std::string& spelling, const std::string& registered) {
    return Applied{spelling, "sum-" + registered};
}

using Row = std::pair<std::string, std::string>;  // version, problem
using Rows = std::vector<Row>;

Rows rows(const std::vector<Problem>& problems) {
    Rows out;
    for (const auto& p : problems)
        out.emplace_back(p.version, p.problem);
    return out;
}

// The one problem with this version and identifier; fails the test when there is not
// exactly one.
const Problem* only(const std::vector<Problem>& problems, const std::string& version,
                    const std::string& problem) {
    const Problem* found = nullptr;
    int count = 0;
    for (const auto& p : problems)
        if (p.version == version && p.problem == problem) {
            found = &p;
            ++count;
        }
    EXPECT_EQ(count, 1) << version << " " << problem;
    return count == 1 ? found : nullptr;
}

bool mentions(const std::string& text, const std::string& what) {
    return text.find(what) != std::string::npos;
}

}  // namespace

TEST(Validate, HealthyProjectHasNoProblems) {
    EXPECT_TRUE(validate({}, {}, {}).empty());
    EXPECT_TRUE(validate({reg("1"), reg("2"), reg("3")}, {}, {}).empty());
    EXPECT_TRUE(validate({reg("1"), reg("2"), reg("3")}, {done("1"), done("2")}, {}).empty());
    // How a migration came to be applied does not matter.
    EXPECT_TRUE(validate({reg("1"), reg("2"), reg("10")},
                         {Applied{"1", "sum-1", AppliedKind::Baseline},
                          Applied{"2", "sum-2", AppliedKind::Imported}, done("10")},
                         {})
                    .empty());
}

TEST(Validate, ModifiedIsAnError) {
    const auto problems = validate({reg("1"), reg("2")}, {done("1"), done_differently("2")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"2", "modified"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Error);
    EXPECT_TRUE(mentions(problems[0].detail, "2")) << problems[0].detail;
    EXPECT_FALSE(problems[0].hint.empty());
}

TEST(Validate, MissingIsAWarningAndNeedsNoDownScript) {
    const auto problems = validate({reg("1")}, {done("1"), done("5")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"5", "missing"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Warning);
    EXPECT_FALSE(problems[0].hint.empty());
}

TEST(Validate, FailedIsAnError) {
    const auto problems = validate({reg("1"), reg("2"), reg("3")}, {done("1")}, {"2"});
    EXPECT_EQ(rows(problems), (Rows{{"2", "failed"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Error);
    // Another spelling in the failed list finds the registered migration.
    EXPECT_EQ(rows(validate({reg("1"), reg("2")}, {done("1")}, {"002"})),
              (Rows{{"2", "failed"}}));
}

TEST(Validate, PendingBelowTheNewestAppliedIsOutOfOrder) {
    const auto problems =
        validate({reg("1"), reg("2"), reg("3"), reg("4")}, {done("1"), done("3")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"2", "out_of_order"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Error);
    EXPECT_TRUE(mentions(problems[0].detail, "3")) << problems[0].detail;

    // Pending above the newest applied migration is simply pending.
    EXPECT_TRUE(validate({reg("1"), reg("2")}, {done("1")}, {}).empty());
    // An applied migration that is no longer registered still counts as the newest.
    const auto below_missing = validate({reg("1"), reg("2")}, {done("1"), done("7")}, {});
    EXPECT_EQ(rows(below_missing), (Rows{{"2", "out_of_order"}, {"7", "missing"}}));
}

TEST(Validate, NoDownScriptIsAWarningForAppliedOnly) {
    const auto problems = validate({reg("1", false), reg("2"), reg("3", false)},
                                   {done("1"), done("2")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"1", "no_down_script"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Warning);
    // A modified migration without down gets both.
    const auto modified = validate({reg("1", false)}, {done_differently("1")}, {});
    EXPECT_EQ(modified.size(), 2u);
    only(modified, "1", "modified");
    only(modified, "1", "no_down_script");
}

TEST(Validate, TwoAppliedSpellingsOfOneVersionAreADuplicate) {
    const auto problems = validate({reg("1")}, {done("1"), done_as("001", "1")}, {});
    const Problem* duplicate = only(problems, "001", "duplicate_version");
    ASSERT_NE(duplicate, nullptr);
    EXPECT_EQ(duplicate->severity, Severity::Error);
    EXPECT_TRUE(mentions(duplicate->detail, "as 1 and 001")) << duplicate->detail;
    EXPECT_FALSE(duplicate->hint.empty());
    // One version, so one duplicate row, whatever the spellings.
    EXPECT_EQ(std::count_if(problems.begin(), problems.end(),
                            [](const Problem& p) { return p.problem == "duplicate_version"; }),
              1);

    // Unregistered versions recorded twice are duplicates too.
    const auto unregistered = validate({}, {done("2"), done("2.0"), done("02")}, {});
    only(unregistered, "02", "duplicate_version");
    EXPECT_EQ(std::count_if(unregistered.begin(), unregistered.end(),
                            [](const Problem& p) { return p.problem == "duplicate_version"; }),
              1);
}

TEST(Validate, AppliedSpellingDifferentFromTheRegisteredOne) {
    const auto problems = validate({reg("1"), reg("2")}, {done_as("001", "1"), done("2")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"001", "version_spelling"}}));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].severity, Severity::Warning);
    EXPECT_TRUE(mentions(problems[0].detail, "001")) << problems[0].detail;
    EXPECT_TRUE(mentions(problems[0].detail, "registered as 1")) << problems[0].detail;
    // 1.0 is not a spelling of 1: a different version, not registered.
    EXPECT_EQ(rows(validate({reg("1")}, {done("1"), done("1.0")}, {})),
              (Rows{{"1.0", "missing"}}));
}

TEST(Validate, ResultsAreInVersionOrder) {
    // Spelling problems are found first; they must still land in version order.
    const auto problems =
        validate({reg("1", false), reg("2"), reg("3"), reg("10")},
                 {done("1"), done_differently("3"), done_as("010", "10"), done("20")}, {"2"});
    std::vector<std::string> versions;
    for (const auto& p : problems)
        versions.push_back(p.version);
    EXPECT_EQ(versions,
              (std::vector<std::string>{"1", "2", "2", "3", "010", "20"}));
    const Rows found = rows(problems);
    const std::set<Row> all(found.begin(), found.end());
    EXPECT_EQ(all, (std::set<Row>{{"1", "no_down_script"},
                                  {"2", "failed"},
                                  {"2", "out_of_order"},
                                  {"3", "modified"},
                                  {"010", "version_spelling"},
                                  {"20", "missing"}}));
    for (std::size_t i = 1; i < problems.size(); ++i)
        EXPECT_FALSE(Version::parse(problems[i].version) < Version::parse(problems[i - 1].version))
            << i;
}

TEST(Validate, NaturalNotTextualOrder) {
    const auto problems = validate({reg("9", false), reg("10", false), reg("100", false)},
                                   {done("100"), done("9"), done("10")}, {});
    EXPECT_EQ(rows(problems), (Rows{{"9", "no_down_script"},
                                    {"10", "no_down_script"},
                                    {"100", "no_down_script"}}));
}

TEST(Validate, ProblemIdentifiersAndSeverities) {
    const auto problems = validate(
        {reg("1", false), reg("2"), reg("3"), reg("4"), reg("6")},
        {done("1"), done_differently("3"), done_as("04", "4"), done("4"), done("5"), done("6")},
        {"2"});
    std::set<std::pair<std::string, Severity>> kinds;
    for (const auto& p : problems)
        kinds.emplace(p.problem, p.severity);
    EXPECT_EQ(kinds, (std::set<std::pair<std::string, Severity>>{
                         {"modified", Severity::Error},
                         {"missing", Severity::Warning},
                         {"failed", Severity::Error},
                         {"out_of_order", Severity::Error},
                         {"no_down_script", Severity::Warning},
                         {"duplicate_version", Severity::Error},
                         {"version_spelling", Severity::Warning},
                     }));
    for (const auto& p : problems) {
        EXPECT_FALSE(p.detail.empty()) << p.problem;
        EXPECT_FALSE(p.hint.empty()) << p.problem;
    }
}

TEST(Validate, SeverityNames) {
    EXPECT_STREQ(severity_name(Severity::Error), "error");
    EXPECT_STREQ(severity_name(Severity::Warning), "warning");
}

TEST(Validate, MalformedVersionsAreInvalid) {
    EXPECT_EQ(kind_of([] { validate({reg("1")}, {done("x")}, {}); }), FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([] { validate({reg("1")}, {}, {"1..2"}); }), FailureKind::InvalidValue);
}

TEST(Validate, RequiredDownScriptsMakeAPendingMigrationWithoutOneAnError) {
    const std::vector<Registered> registered = {reg("1", false), reg("2", false), reg("3")};
    const std::vector<Applied> applied = {done("1")};
    EXPECT_EQ(rows(ms::core::validate(registered, applied, {})), (Rows{{"1", "no_down_script"}}));
    const auto problems = ms::core::validate(registered, applied, {}, true);
    EXPECT_EQ(rows(problems), (Rows{{"1", "no_down_script"}, {"2", "down_script_required"}}));
    const Problem* p = only(problems, "2", "down_script_required");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->severity, ms::core::Severity::Error);
}
