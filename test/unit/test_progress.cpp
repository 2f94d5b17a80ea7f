#include "core/plan/progress.hpp"
#include "core/plan/undo_dependents.hpp"

#include "core/base/failure.hpp"

#include <gtest/gtest.h>

using namespace ms::core;

namespace {

PartProgress two_of_three() {
    PartProgress p;
    p.version = "002";
    p.name = "index";
    p.checksum = "abc";
    p.parts = 2;
    p.total_parts = 3;
    p.statements = 4;
    p.total_statements = 6;
    p.committed = "digest";
    return p;
}

Registered reg(std::string v, bool down = true) {
    return Registered{std::move(v), "m", "sum", down};
}

}  // namespace

TEST(Progress, DescribesTheCommittedParts) {
    EXPECT_EQ(describe_progress(two_of_three()), "2 of 3 parts committed (statements 1 to 4 of 6)");
    PartProgress one = two_of_three();
    one.statements = 1;
    EXPECT_EQ(describe_progress(one), "2 of 3 parts committed (statement 1 of 6)");
}

TEST(Progress, ResumesAfterTheCommittedStatements) {
    EXPECT_EQ(resume_at(two_of_three(), "migration 002", "digest", 6), 4);
    // Exactly the committed statements left: nothing more to run.
    EXPECT_EQ(resume_at(two_of_three(), "migration 002", "digest", 4), 4);
}

TEST(Progress, RefusesAScriptThatNoLongerBeginsWithThem) {
    try {
        resume_at(two_of_three(), "migration 002 (index)", "other", 6);
        FAIL() << "a changed committed statement was accepted";
    } catch (const Failure& f) {
        EXPECT_EQ(f.kind(), FailureKind::Conflict);
        EXPECT_NE(std::string(f.what()).find("partly applied"), std::string::npos);
        EXPECT_NE(f.detail().find("Not committed: statement 5 on"), std::string::npos);
    }
    EXPECT_THROW(resume_at(two_of_three(), "m", "digest", 3), Failure);
}

TEST(Progress, ARollbackPastAPartlyAppliedMigrationIsRefused) {
    const std::vector<PartProgress> partial{two_of_three()};
    EXPECT_EQ(rollback_of_partial({}, std::nullopt), nullptr);
    EXPECT_THROW(rollback_of_partial(partial, std::nullopt), Failure);
    EXPECT_THROW(rollback_of_partial(partial, std::string("1")), Failure);
    // Named in any spelling, it is the one to undo.
    EXPECT_EQ(rollback_of_partial(partial, std::string("2")), &partial.front());
}

TEST(Progress, UndoingAPartlyAppliedMigrationPlansItAlone) {
    RollbackRequest request;
    request.version = "2";
    const auto plan = plan_rollback_with_progress({reg("001"), reg("002")},
                                                  {Applied{"001", "sum"}}, request,
                                                  {two_of_three()});
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_EQ(plan.front().version.text(), "002");
    EXPECT_THROW(plan_rollback_with_progress({reg("001"), reg("002", false)},
                                             {Applied{"001", "sum"}}, request, {two_of_three()}),
                 Failure);
    // Nothing partly applied: the ordinary plan.
    RollbackRequest newest;
    EXPECT_EQ(plan_rollback_with_progress({reg("001")}, {Applied{"001", "sum"}}, newest, {}).size(),
              1u);
}

TEST(UndoDependents, NamesTheLaterMigrationsThatMadeAnObject) {
    const std::vector<LaterMigration> later{
        {"002 (gin)", "CREATE INDEX t_c_gin ON public.t USING gin (c);"},
        {"003 (view)", "CREATE VIEW v AS SELECT c FROM t;"}};
    EXPECT_EQ(migrations_naming({"index", "public.t_c_gin"}, later),
              std::vector<std::string>{"002 (gin)"});
    EXPECT_EQ(migrations_naming({"view", "public.v"}, later), std::vector<std::string>{"003 (view)"});
    // A column needs its table named too; a name inside another word does not count.
    EXPECT_EQ(migrations_naming({"table column", "public.t.c"}, later).size(), 2u);
    EXPECT_TRUE(migrations_naming({"index", "public.t_c"}, later).empty());
    EXPECT_EQ(migrations_naming({"table constraint", "t_c_gin on public.t"}, later),
              std::vector<std::string>{"002 (gin)"});
}

TEST(UndoDependents, RefusesOnlyForWhatALaterMigrationMade) {
    const std::vector<LaterMigration> later{{"002 (gin)", "CREATE INDEX t_c_gin ON t (c);"}};
    EXPECT_TRUE(made_by_later({{"index", "public.own_idx"}}, later).empty());
    EXPECT_NO_THROW(refuse_undo_of_dependents("001 (t)", made_by_later({{"index", "public.own_idx"}}, later)));
    try {
        refuse_undo_of_dependents("001 (t)", made_by_later({{"index", "public.t_c_gin"}}, later));
        FAIL() << "an index a later migration made was dropped silently";
    } catch (const Failure& f) {
        EXPECT_EQ(f.kind(), FailureKind::Conflict);
        EXPECT_NE(f.detail().find("index public.t_c_gin (migration 002 (gin))"), std::string::npos);
    }
}
