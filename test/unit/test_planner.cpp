#include "core/plan/planner.hpp"

#include "failure_matchers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using ms::core::Applied;
using ms::core::AppliedKind;
using ms::core::applied_kind_name;
using ms::core::ApplyRequest;
using ms::core::FailureKind;
using ms::core::is_applied;
using ms::core::Migration;
using ms::core::migration_states;
using ms::core::plan_apply;
using ms::core::plan_baseline;
using ms::core::plan_rollback;
using ms::core::Registered;
using ms::core::RollbackRequest;
using ms::core::State;
using ms::core::state_name;
using ms::test::failure_of;
using ms::test::kind_of;

namespace {

// Checksums are opaque to the planner; "sum-<version>" keeps the fixtures readable.
Registered reg(const std::string& version, bool has_down = true) {
    return Registered{version, "m" + version, "sum-" + version, has_down};
}

Applied done(const std::string& version) {
    return Applied{version, "sum-" + version};
}

Applied done_differently(const std::string& version) {
    return Applied{version, "old-sum-" + version};
}

Applied baselined(const std::string& version) {
    return Applied{version, "sum-" + version, AppliedKind::Baseline};
}

Applied imported(const std::string& version) {
    return Applied{version, "sum-" + version, AppliedKind::Imported};
}

std::vector<State> states(const std::vector<Migration>& all) {
    std::vector<State> out;
    for (const auto& m : all)
        out.push_back(m.state);
    return out;
}

std::vector<std::string> versions(const std::vector<Migration>& plan) {
    std::vector<std::string> out;
    for (const auto& m : plan)
        out.push_back(m.version.text());
    return out;
}

using Names = std::vector<std::string>;

ApplyRequest up_to(const std::string& target) {
    ApplyRequest r;
    r.target = target;
    return r;
}

RollbackRequest steps(long n) {
    RollbackRequest r;
    r.steps = n;
    return r;
}

RollbackRequest back_to(const std::string& target) {
    RollbackRequest r;
    r.target = target;
    return r;
}

RollbackRequest everything() {
    RollbackRequest r;
    r.everything = true;
    return r;
}

}  // namespace

TEST(States, PendingAppliedModifiedMissing) {
    const auto all = migration_states({reg("3"), reg("1"), reg("2")},
                                      {done("1"), done_differently("2"), done("4")});
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(versions(all), (Names{"1", "2", "3", "4"}));
    EXPECT_EQ(all[0].state, State::Applied);
    EXPECT_EQ(all[1].state, State::Modified);
    EXPECT_EQ(all[2].state, State::Pending);
    EXPECT_EQ(all[3].state, State::Missing);
    EXPECT_EQ(all[0].name, "m1");
    EXPECT_TRUE(all[0].has_down);
    EXPECT_FALSE(all[3].has_down);
}

// Callers read checksums and applied details by these indexes, not by a lookup of their own.
TEST(States, NameTheRowsTheyCameFrom) {
    const std::vector<Registered> registered{reg("3"), reg("1"), reg("2")};
    const std::vector<Applied> applied{done("4"), done("2"), done("1")};
    const auto all = migration_states(registered, applied);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(versions(all), (Names{"1", "2", "3", "4"}));
    EXPECT_EQ(all[0].registered_index, 1u);
    EXPECT_EQ(all[0].applied_index, 2u);
    EXPECT_EQ(all[1].registered_index, 2u);
    EXPECT_EQ(all[1].applied_index, 1u);
    EXPECT_EQ(all[2].registered_index, 0u);
    EXPECT_EQ(all[2].applied_index, Migration::npos);
    EXPECT_EQ(all[3].registered_index, Migration::npos);
    EXPECT_EQ(all[3].applied_index, 0u);
}

TEST(States, AppliedSpellingDoesNotMatter) {
    const auto all = migration_states({reg("1"), reg("2.0"), reg("2")},
                                      {Applied{"001", "sum-1"}, Applied{"002.000", "sum-2.0"}});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(versions(all), (Names{"1", "2", "2.0"}));
    EXPECT_EQ(all[0].state, State::Applied);
    EXPECT_EQ(all[1].state, State::Pending);
    EXPECT_EQ(all[2].state, State::Applied);
}

TEST(States, NamesOfStates) {
    EXPECT_STREQ(state_name(State::Pending), "pending");
    EXPECT_STREQ(state_name(State::Applied), "applied");
    EXPECT_STREQ(state_name(State::Modified), "modified");
    EXPECT_STREQ(state_name(State::Missing), "missing");
}

TEST(States, OrderIsNumeric) {
    const auto all = migration_states({reg("10"), reg("9"), reg("1.10"), reg("1.9")}, {});
    EXPECT_EQ(versions(all), (Names{"1.9", "1.10", "9", "10"}));
}

TEST(PlanApply, EverythingPendingInVersionOrder) {
    const auto plan = plan_apply({reg("10"), reg("2"), reg("1")}, {}, {});
    EXPECT_EQ(versions(plan), (Names{"1", "2", "10"}));
    for (const auto& m : plan)
        EXPECT_EQ(m.state, State::Pending);
}

TEST(PlanApply, OnlyPendingOnesAfterTheApplied) {
    const auto plan = plan_apply({reg("1"), reg("2"), reg("3")}, {done("1")}, {});
    EXPECT_EQ(versions(plan), (Names{"2", "3"}));
}

TEST(PlanApply, TargetIsInclusive) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("10")};
    EXPECT_EQ(versions(plan_apply(registered, {}, up_to("2"))), (Names{"1", "2"}));
    EXPECT_EQ(versions(plan_apply(registered, {done("1")}, up_to("3"))), (Names{"2", "3"}));
    EXPECT_EQ(versions(plan_apply(registered, {}, up_to("10"))), (Names{"1", "2", "3", "10"}));
}

TEST(PlanApply, TargetInAnotherSpellingFindsTheVersion) {
    const auto plan = plan_apply({reg("1"), reg("2")}, {}, up_to("001"));
    EXPECT_EQ(versions(plan), (Names{"1"}));
}

TEST(PlanApply, TargetAlreadyAppliedMeansNothingToDo) {
    const auto plan = plan_apply({reg("1"), reg("2"), reg("3")}, {done("1"), done("2")},
                                 up_to("1"));
    EXPECT_TRUE(plan.empty());
}

TEST(PlanApply, UnknownTargetIsNotFound) {
    const std::vector<Registered> registered = {reg("1"), reg("2")};
    EXPECT_EQ(kind_of([&] { plan_apply(registered, {}, up_to("3")); }), FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_apply(registered, {}, up_to("1.0")); }), FailureKind::NotFound);
    // Applied once but no longer registered: there is nothing to apply it from.
    EXPECT_EQ(kind_of([&] { plan_apply(registered, {done("1"), done("7")}, up_to("7")); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_apply(registered, {}, up_to("x")); }),
              FailureKind::InvalidValue);
}

TEST(PlanApply, ModifiedMigrationRefusesEverything) {
    const auto failure = failure_of([] {
        plan_apply({reg("1"), reg("2"), reg("3")}, {done_differently("1"), done_differently("2")},
                   {});
    });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Modified);
    EXPECT_NE(failure->detail().find("1 (m1)"), std::string::npos) << failure->detail();
    EXPECT_NE(failure->detail().find("2 (m2)"), std::string::npos) << failure->detail();
}

TEST(PlanApply, OutOfOrderIsRefusedUnlessAllowed) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("4")};
    const std::vector<Applied> applied = {done("1"), done("3")};
    const auto failure = failure_of([&] { plan_apply(registered, applied, {}); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::OutOfOrder);
    EXPECT_NE(failure->detail().find("2 (m2)"), std::string::npos) << failure->detail();
    EXPECT_EQ(failure->detail().find("4"), std::string::npos) << failure->detail();

    ApplyRequest allowed;
    allowed.allow_out_of_order = true;
    EXPECT_EQ(versions(plan_apply(registered, applied, allowed)), (Names{"2", "4"}));
}

TEST(PlanApply, MissingMigrationStillCountsAsNewestApplied) {
    EXPECT_EQ(kind_of([] { plan_apply({reg("1"), reg("2")}, {done("1"), done("5")}, {}); }),
              FailureKind::OutOfOrder);
}

TEST(PlanApply, NothingPendingIsAnEmptyPlan) {
    EXPECT_TRUE(plan_apply({reg("1"), reg("2")}, {done("1"), done("2")}, {}).empty());
    EXPECT_TRUE(plan_apply({}, {}, {}).empty());
}

TEST(PlanRollback, OneStepByDefault) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("4")};
    const std::vector<Applied> applied = {done("1"), done("2"), done("3")};
    EXPECT_EQ(versions(plan_rollback(registered, applied, {})), (Names{"3"}));
    EXPECT_EQ(versions(plan_rollback(registered, applied, steps(2))), (Names{"3", "2"}));
    EXPECT_EQ(versions(plan_rollback(registered, applied, steps(100))), (Names{"3", "2", "1"}));
}

TEST(PlanRollback, NewestFirstInVersionOrderNotApplyOrder) {
    const auto plan = plan_rollback({reg("2"), reg("10"), reg("9")},
                                    {done("10"), done("2"), done("9")}, steps(3));
    EXPECT_EQ(versions(plan), (Names{"10", "9", "2"}));
}

TEST(PlanRollback, TargetStaysApplied) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1"), done("2"), done("3")};
    EXPECT_EQ(versions(plan_rollback(registered, applied, back_to("1"))), (Names{"3", "2"}));
    EXPECT_EQ(versions(plan_rollback(registered, applied, back_to("001"))), (Names{"3", "2"}));
    EXPECT_TRUE(plan_rollback(registered, applied, back_to("3")).empty());
}

TEST(PlanRollback, EverythingRollsBackAllApplied) {
    const auto plan = plan_rollback({reg("1"), reg("2"), reg("3")}, {done("1"), done("2")},
                                    everything());
    EXPECT_EQ(versions(plan), (Names{"2", "1"}));
    EXPECT_TRUE(plan_rollback({reg("1")}, {}, everything()).empty());
}

TEST(PlanRollback, NothingAppliedIsAnEmptyPlan) {
    EXPECT_TRUE(plan_rollback({reg("1")}, {}, {}).empty());
}

TEST(PlanRollback, MissingDownNamesEveryCulprit) {
    const std::vector<Registered> registered = {reg("1"), reg("2", false), reg("3"),
                                                reg("4", false)};
    const std::vector<Applied> applied = {done("1"), done("2"), done("3"), done("4")};
    const auto failure = failure_of([&] { plan_rollback(registered, applied, everything()); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::MissingDown);
    EXPECT_NE(std::string(failure->what()).find("4 (m4)"), std::string::npos) << failure->what();
    EXPECT_NE(failure->detail().find("4 (m4)"), std::string::npos) << failure->detail();
    EXPECT_NE(failure->detail().find("2 (m2)"), std::string::npos) << failure->detail();
    EXPECT_EQ(failure->detail().find("3 (m3)"), std::string::npos) << failure->detail();

    // Out of the range, a missing down script does not matter.
    EXPECT_EQ(versions(plan_rollback({reg("1", false), reg("2")}, {done("1"), done("2")}, {})),
              (Names{"2"}));
}

TEST(PlanRollback, UnregisteredAppliedMigrationHasNoDown) {
    const auto failure =
        failure_of([] { plan_rollback({reg("1")}, {done("1"), done("2")}, {}); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::MissingDown);
    EXPECT_NE(failure->detail().find("2"), std::string::npos);
}

TEST(PlanRollback, StepsBelowOneAreInvalid) {
    const std::vector<Registered> registered = {reg("1")};
    const std::vector<Applied> applied = {done("1")};
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, steps(0)); }),
              FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, steps(-1)); }),
              FailureKind::InvalidValue);
    EXPECT_EQ(kind_of([&] { plan_rollback({}, {}, steps(0)); }), FailureKind::InvalidValue);
}

TEST(PlanRollback, TargetThatIsNotAppliedIsNotFound) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1"), done("2")};
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, back_to("3")); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, back_to("9")); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, back_to("1..")); }),
              FailureKind::InvalidValue);
}

TEST(PlanRollback, ModifiedInRangeRefuses) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1"), done_differently("2"), done("3")};
    const auto failure = failure_of([&] { plan_rollback(registered, applied, steps(2)); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::Modified);
    EXPECT_NE(failure->detail().find("2 (m2)"), std::string::npos) << failure->detail();
    // A modified migration that stays applied does not stand in the way.
    EXPECT_EQ(versions(plan_rollback(registered, applied, steps(1))), (Names{"3"}));
}

TEST(PlanRollback, PendingMigrationsBetweenAppliedAreSkipped) {
    const auto plan = plan_rollback({reg("1"), reg("2"), reg("3")}, {done("1"), done("3")},
                                    steps(2));
    EXPECT_EQ(versions(plan), (Names{"3", "1"}));
}

// --- How a migration came to be applied, and failed attempts ---------------------------

TEST(States, BaselineShowsAsBaselineAndImportedAsApplied) {
    const auto all = migration_states({reg("1"), reg("2"), reg("3"), reg("4")},
                                      {baselined("1"), imported("2"), done("3")});
    EXPECT_EQ(versions(all), (Names{"1", "2", "3", "4"}));
    EXPECT_EQ(states(all),
              (std::vector<State>{State::Baseline, State::Applied, State::Applied, State::Pending}));
}

TEST(States, AppliedKindDefaultsToRun) {
    EXPECT_EQ(Applied{}.kind, AppliedKind::Run);
    EXPECT_EQ(done("1").kind, AppliedKind::Run);
}

TEST(States, AModifiedBaselineOrImportIsModified) {
    const auto all = migration_states(
        {reg("1"), reg("2")},
        {Applied{"1", "old-sum-1", AppliedKind::Baseline}, Applied{"2", "old-sum-2", AppliedKind::Imported}});
    EXPECT_EQ(states(all), (std::vector<State>{State::Modified, State::Modified}));
}

TEST(States, BaselineInAnotherSpellingIsStillABaseline) {
    const auto all = migration_states({reg("1"), reg("2")}, {Applied{"001", "sum-1", AppliedKind::Baseline}});
    EXPECT_EQ(states(all), (std::vector<State>{State::Baseline, State::Pending}));
}

TEST(States, AFailedAttemptMarksAPendingMigrationFailed) {
    const auto all = migration_states({reg("1"), reg("2"), reg("3")}, {done("1")}, {"2"});
    EXPECT_EQ(states(all), (std::vector<State>{State::Applied, State::Failed, State::Pending}));
    EXPECT_EQ(all[1].name, "m2");
    EXPECT_TRUE(all[1].has_down);
}

TEST(States, FailedListSpellingDoesNotMatter) {
    const auto all = migration_states({reg("1"), reg("2"), reg("2.0")}, {}, {"001", "2.00"});
    EXPECT_EQ(versions(all), (Names{"1", "2", "2.0"}));
    EXPECT_EQ(states(all), (std::vector<State>{State::Failed, State::Pending, State::Failed}));
}

TEST(States, WithoutFailedListNothingIsFailed) {
    const auto all = migration_states({reg("1"), reg("2")}, {});
    EXPECT_EQ(states(all), (std::vector<State>{State::Pending, State::Pending}));
}

TEST(States, AnAppliedMigrationWithAnOldFailureIsApplied) {
    // Failed means pending with a failed attempt; once applied, the attempt is history.
    const auto all = migration_states({reg("1")}, {done("1")}, {"1"});
    EXPECT_EQ(states(all), (std::vector<State>{State::Applied}));
}

TEST(States, MalformedFailedVersionIsInvalid) {
    EXPECT_EQ(kind_of([] { migration_states({reg("1")}, {}, {"one"}); }),
              FailureKind::InvalidValue);
}

TEST(States, IsApplied) {
    EXPECT_FALSE(is_applied(State::Pending));
    EXPECT_FALSE(is_applied(State::Failed));
    EXPECT_TRUE(is_applied(State::Applied));
    EXPECT_TRUE(is_applied(State::Baseline));
    EXPECT_TRUE(is_applied(State::Modified));
    EXPECT_TRUE(is_applied(State::Missing));
}

TEST(States, NamesOfEveryState) {
    EXPECT_STREQ(state_name(State::Pending), "pending");
    EXPECT_STREQ(state_name(State::Failed), "failed");
    EXPECT_STREQ(state_name(State::Applied), "applied");
    EXPECT_STREQ(state_name(State::Baseline), "baseline");
    EXPECT_STREQ(state_name(State::Modified), "modified");
    EXPECT_STREQ(state_name(State::Missing), "missing");
}

TEST(States, NamesOfAppliedKinds) {
    EXPECT_STREQ(applied_kind_name(AppliedKind::Run), "run");
    EXPECT_STREQ(applied_kind_name(AppliedKind::Baseline), "baseline");
    EXPECT_STREQ(applied_kind_name(AppliedKind::Imported), "imported");
}

TEST(PlanApply, FailedMigrationIsPlannedAgain) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const auto plan = plan_apply(registered, {done("1")}, {}, {"2"});
    EXPECT_EQ(versions(plan), (Names{"2", "3"}));
    EXPECT_EQ(states(plan), (std::vector<State>{State::Failed, State::Pending}));
    EXPECT_EQ(versions(plan_apply(registered, {done("1")}, up_to("2"), {"002"})), (Names{"2"}));
}

TEST(PlanApply, FailedBelowTheNewestAppliedIsOutOfOrder) {
    EXPECT_EQ(kind_of([] {
                  plan_apply({reg("1"), reg("2"), reg("3")}, {done("1"), done("3")}, {}, {"2"});
              }),
              FailureKind::OutOfOrder);
}

TEST(PlanApply, BaselineAndImportedCountAsApplied) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    EXPECT_EQ(versions(plan_apply(registered, {baselined("1"), imported("2")}, {})),
              (Names{"3"}));
    // Below an imported migration, a pending one is out of order like below any other.
    EXPECT_EQ(kind_of([&] { plan_apply(registered, {imported("2")}, {}); }),
              FailureKind::OutOfOrder);
}

TEST(PlanRollback, AFailedAttemptIsNotRolledBack) {
    // A failed migration is not applied: nothing of it is on record as applied.
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    EXPECT_EQ(versions(plan_rollback(registered, {done("1")}, everything())), (Names{"1"}));
    EXPECT_EQ(versions(plan_rollback(registered, {done("1")}, {})), (Names{"1"}));
}

TEST(PlanRollback, BaselineAndImportedAreRolledBackLikeAnyOther) {
    const auto plan = plan_rollback({reg("1"), reg("2"), reg("3")},
                                    {baselined("1"), imported("2"), done("3")}, everything());
    EXPECT_EQ(versions(plan), (Names{"3", "2", "1"}));
    EXPECT_EQ(states(plan), (std::vector<State>{State::Applied, State::Applied, State::Baseline}));
}

// --- plan_baseline -----------------------------------------------------------------------

TEST(PlanBaseline, MarksPendingUpToAndIncludingTheVersionOldestFirst) {
    const auto plan = plan_baseline({reg("10"), reg("3"), reg("1"), reg("2"), reg("4")}, {}, "3");
    EXPECT_EQ(versions(plan), (Names{"1", "2", "3"}));
    for (const auto& m : plan)
        EXPECT_EQ(m.state, State::Pending) << m.version.text();
    EXPECT_EQ(plan[0].name, "m1");
}

TEST(PlanBaseline, VersionInAnotherSpelling) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("10")};
    EXPECT_EQ(versions(plan_baseline(registered, {}, "002")), (Names{"1", "2"}));
    EXPECT_EQ(versions(plan_baseline(registered, {}, "10")), (Names{"1", "2", "10"}));
}

TEST(PlanBaseline, AlreadyAppliedMigrationsAreLeftOut) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("4"), reg("5")};
    EXPECT_EQ(versions(plan_baseline(registered, {done("1"), imported("3")}, "4")),
              (Names{"2", "4"}));
    // Everything up to the version applied already: nothing left to mark, and no error.
    EXPECT_TRUE(plan_baseline(registered, {done("1"), done("2")}, "2").empty());
    // An applied migration below that is no longer registered is not marked again.
    EXPECT_EQ(versions(plan_baseline({reg("2"), reg("3")}, {done("1")}, "3")),
              (Names{"2", "3"}));
}

TEST(PlanBaseline, AppliedAboveTheVersionIsOutOfOrderAndNamed) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("4")};
    const auto failure =
        failure_of([&] { plan_baseline(registered, {done("1"), done("3"), done("4")}, "2"); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::OutOfOrder);
    EXPECT_NE(std::string(failure->what()).find("3 (m3)"), std::string::npos) << failure->what();
    EXPECT_NE(failure->detail().find("3 (m3)"), std::string::npos) << failure->detail();
    EXPECT_NE(failure->detail().find("4 (m4)"), std::string::npos) << failure->detail();
    EXPECT_EQ(failure->detail().find("m1"), std::string::npos) << failure->detail();
    EXPECT_FALSE(failure->hint().empty());

    // A baselined or imported migration above counts too, as does one no longer registered.
    EXPECT_EQ(kind_of([&] { plan_baseline(registered, {baselined("4")}, "2"); }),
              FailureKind::OutOfOrder);
    EXPECT_EQ(kind_of([&] { plan_baseline(registered, {imported("3")}, "2"); }),
              FailureKind::OutOfOrder);
    const auto missing = failure_of([&] { plan_baseline(registered, {done("9")}, "4"); });
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->kind(), FailureKind::OutOfOrder);
    EXPECT_NE(std::string(missing->what()).find("9"), std::string::npos) << missing->what();
}

TEST(PlanBaseline, NothingRegisteredAtOrBelowIsNotFound) {
    EXPECT_EQ(kind_of([] { plan_baseline({reg("5"), reg("6")}, {}, "4"); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([] { plan_baseline({}, {}, "1"); }), FailureKind::NotFound);
    // Applied but unregistered below the version is not "registered at or below".
    EXPECT_EQ(kind_of([] { plan_baseline({reg("5")}, {done("1")}, "2"); }),
              FailureKind::NotFound);
    // 1.0 sorts after 1: nothing is at or below 0.9.
    EXPECT_EQ(kind_of([] { plan_baseline({reg("1"), reg("1.0")}, {}, "0.9"); }),
              FailureKind::NotFound);
}

TEST(PlanBaseline, UnregisteredVersionBetweenRegisteredOnes) {
    const std::vector<Registered> registered = {reg("1"), reg("3"), reg("5")};
    EXPECT_EQ(versions(plan_baseline(registered, {}, "2")), (Names{"1"}));
    EXPECT_EQ(versions(plan_baseline(registered, {}, "4")), (Names{"1", "3"}));
    EXPECT_EQ(versions(plan_baseline(registered, {}, "99")), (Names{"1", "3", "5"}));
}

TEST(PlanBaseline, MalformedVersionIsInvalid) {
    const std::vector<Registered> registered = {reg("1")};
    for (const char* v : {"", "x", "1..2", "1.", "v1", "-1"})
        EXPECT_EQ(kind_of([&] { plan_baseline(registered, {}, v); }), FailureKind::InvalidValue)
            << v;
}

TEST(AppliedKinds, NamesReadBackAsTheSameKind) {
    for (const auto k : {AppliedKind::Run, AppliedKind::Baseline, AppliedKind::Imported})
        EXPECT_EQ(ms::core::applied_kind_from(ms::core::applied_kind_name(k)), k);
    EXPECT_EQ(ms::core::applied_kind_from("something else"), AppliedKind::Run);
}

namespace {

RollbackRequest undo(const std::string& version, bool out_of_order = false) {
    RollbackRequest r;
    r.version = version;
    r.allow_out_of_order = out_of_order;
    return r;
}

}  // namespace

TEST(PlanRollback, VersionUndoesExactlyThatMigration) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1"), done("2"), done("3")};
    EXPECT_EQ(versions(plan_rollback(registered, applied, undo("3"))), (Names{"3"}));
    EXPECT_EQ(versions(plan_rollback(registered, applied, undo("003"))), (Names{"3"}));
}

TEST(PlanRollback, VersionBelowTheNewestIsOutOfOrderNamingTheLaterOnes) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1"), done("2"), done("3")};
    const auto failure = failure_of([&] { plan_rollback(registered, applied, undo("1")); });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->kind(), FailureKind::OutOfOrder);
    EXPECT_EQ(failure->detail(), "Applied after it: 3 (m3), 2 (m2).");
    EXPECT_EQ(versions(plan_rollback(registered, applied, undo("1", true))), (Names{"1"}));
}

TEST(PlanRollback, VersionMustBeAppliedAndReversible) {
    const std::vector<Registered> registered = {reg("1", false), reg("2")};
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, {done("1")}, undo("2")); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, {done("1")}, undo("9")); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { plan_rollback(registered, {done("1")}, undo("1")); }),
              FailureKind::MissingDown);
    EXPECT_EQ(kind_of([&] { plan_rollback({reg("1")}, {done_differently("1")}, undo("1")); }),
              FailureKind::Modified);
}

TEST(PlanRollback, VersionExcludesTheOtherEndPoints) {
    const std::vector<Registered> registered = {reg("1"), reg("2")};
    const std::vector<Applied> applied = {done("1"), done("2")};
    auto with_target = undo("2");
    with_target.target = "1";
    auto with_steps = undo("2");
    with_steps.steps = 2;
    auto with_everything = undo("2");
    with_everything.everything = true;
    for (const auto& r : {with_target, with_steps, with_everything})
        EXPECT_EQ(kind_of([&] { plan_rollback(registered, applied, r); }),
                  FailureKind::InvalidValue);
}

TEST(PlanPrune, OnlyPendingAndFailedMigrationsTheFolderNoLongerHas) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3"), reg("4"), reg("5")};
    const std::vector<Applied> applied = {done("1"), done("2")};
    const auto gone = ms::core::plan_prune(registered, applied, {"4"}, {"001", "3"});
    EXPECT_EQ(versions(gone), (Names{"4", "5"}));
    EXPECT_EQ(gone[0].state, State::Failed);
    EXPECT_TRUE(ms::core::plan_prune(registered, applied, {}, {"1", "2", "3", "4", "5"}).empty());
}

TEST(PlanUnregister, PendingAndFailedOnly) {
    const std::vector<Registered> registered = {reg("1"), reg("2"), reg("3")};
    const std::vector<Applied> applied = {done("1")};
    EXPECT_EQ(ms::core::plan_unregister(registered, applied, {}, "002").version.text(), "2");
    EXPECT_EQ(ms::core::plan_unregister(registered, applied, {"3"}, "3").state, State::Failed);
    const auto applied_one =
        failure_of([&] { ms::core::plan_unregister(registered, applied, {}, "1"); });
    ASSERT_TRUE(applied_one);
    EXPECT_EQ(applied_one->kind(), FailureKind::Conflict);
    EXPECT_NE(applied_one->hint().find("version => '1'"), std::string::npos);
    EXPECT_EQ(kind_of([&] { ms::core::plan_unregister(registered, applied, {}, "9"); }),
              FailureKind::NotFound);
    EXPECT_EQ(kind_of([&] { ms::core::plan_unregister({reg("2")}, {done("1")}, {}, "1"); }),
              FailureKind::NotFound);
}
