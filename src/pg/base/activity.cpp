#include "pg/base/activity.hpp"

#include "core/base/failure.hpp"

#include <string>

namespace ms::pg {

namespace {

bool runner_active = false;
bool user_sql_running = false;
bool caller_query_running = false;

}  // namespace

bool runner_is_active() {
    return runner_active && !caller_query_running;
}

bool user_sql_is_running() {
    return user_sql_running;
}

void mark_runner_process() {
    runner_active = true;
}

void mark_user_sql_process() {
    user_sql_running = true;
}

RunnerScope::RunnerScope(const char* function) {
    if (runner_active)
        throw core::Failure(core::FailureKind::Unsupported,
                            std::string(function) + "() cannot be called from inside a migration",
                            {},
                            "A migration runs inside the runner; call the runner from the "
                            "outside, once.");
    runner_active = true;
}

RunnerScope::~RunnerScope() {
    runner_active = false;
}

CallerQueryScope::CallerQueryScope() : saved_(caller_query_running) {
    caller_query_running = true;
}

CallerQueryScope::~CallerQueryScope() {
    caller_query_running = saved_;
}

UserSqlScope::UserSqlScope() {
    user_sql_running = true;
}

UserSqlScope::~UserSqlScope() {
    user_sql_running = false;
}

BookkeepingScope::BookkeepingScope() : saved_(user_sql_running) {
    user_sql_running = false;
}

BookkeepingScope::~BookkeepingScope() {
    user_sql_running = saved_;
}

}  // namespace ms::pg
