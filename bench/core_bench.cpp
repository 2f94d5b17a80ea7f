// The core planner at 100,000 migrations: the work migrate_apply, migrate_status and
// migrate_rollback do in C++ once the tracking tables are read. Run by bench/run.
#include "core/plan/planner.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

using ms::core::Applied;
using ms::core::ApplyRequest;
using ms::core::Registered;
using ms::core::RollbackRequest;

constexpr int kRegistered = 100000;

std::string checksum_of(int i) {
    // A SHA-256 in hex is 64 characters; the planner only compares them.
    std::string s = std::to_string(i);
    return std::string(64 - s.size(), 'a') + s;
}

std::vector<Registered> registered(int n) {
    std::vector<Registered> out;
    out.reserve(n);
    for (int i = 1; i <= n; ++i)
        out.push_back(Registered{std::to_string(20240000000000LL + i), "create_t_" + std::to_string(i),
                                 checksum_of(i), true});
    return out;
}

std::vector<Applied> applied(int n) {
    std::vector<Applied> out;
    out.reserve(n);
    for (int i = 1; i <= n; ++i)
        out.push_back(Applied{std::to_string(20240000000000LL + i), checksum_of(i)});
    return out;
}

// 100k registered, the first 50k applied: plans the other 50k.
void BM_plan_apply_100k_half_applied(benchmark::State& state) {
    const auto reg = registered(kRegistered);
    const auto app = applied(kRegistered / 2);
    for (auto _ : state) {
        auto plan = ms::core::plan_apply(reg, app, ApplyRequest{});
        benchmark::DoNotOptimize(plan.data());
        if (plan.size() != kRegistered / 2)
            state.SkipWithError("wrong plan size");
    }
    state.SetItemsProcessed(state.iterations() * kRegistered);
}
BENCHMARK(BM_plan_apply_100k_half_applied)->Unit(benchmark::kMillisecond);

// The call with nothing to do: all 100k applied.
void BM_plan_apply_100k_nothing_pending(benchmark::State& state) {
    const auto reg = registered(kRegistered);
    const auto app = applied(kRegistered);
    for (auto _ : state) {
        auto plan = ms::core::plan_apply(reg, app, ApplyRequest{});
        benchmark::DoNotOptimize(plan.data());
    }
    state.SetItemsProcessed(state.iterations() * kRegistered);
}
BENCHMARK(BM_plan_apply_100k_nothing_pending)->Unit(benchmark::kMillisecond);

// migrate_status()'s states for 100k registered, 50k applied.
void BM_migration_states_100k_half_applied(benchmark::State& state) {
    const auto reg = registered(kRegistered);
    const auto app = applied(kRegistered / 2);
    for (auto _ : state) {
        auto all = ms::core::migration_states(reg, app);
        benchmark::DoNotOptimize(all.data());
    }
    state.SetItemsProcessed(state.iterations() * kRegistered);
}
BENCHMARK(BM_migration_states_100k_half_applied)->Unit(benchmark::kMillisecond);

// Rolling back all 50k applied of 100k registered.
void BM_plan_rollback_everything_100k_half_applied(benchmark::State& state) {
    const auto reg = registered(kRegistered);
    const auto app = applied(kRegistered / 2);
    RollbackRequest everything;
    everything.everything = true;
    for (auto _ : state) {
        auto plan = ms::core::plan_rollback(reg, app, everything);
        benchmark::DoNotOptimize(plan.data());
    }
    state.SetItemsProcessed(state.iterations() * kRegistered);
}
BENCHMARK(BM_plan_rollback_everything_100k_half_applied)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
