#include "pg/base/fault.hpp"

#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"

extern "C" {
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include <cstdlib>
#include <cstring>
#include <string>

namespace ms::pg {

namespace {

int hits = 0;

// Sleeps on the latch, answering cancels and terminations as any wait of the server does.
void wait_ms(long ms) {
    const TimestampTz until = GetCurrentTimestamp() + ms * 1000;
    for (;;) {
        const long left = static_cast<long>((until - GetCurrentTimestamp()) / 1000);
        if (left <= 0)
            return;
        pg_call([&] {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, left,
                            PG_WAIT_EXTENSION);
            ResetLatch(MyLatch);
            CHECK_FOR_INTERRUPTS();
        });
    }
}

// Whether `setting` (after a prefix) names this point, and its Nth time in the call.
bool reached(const char* setting, const char* name) {
    const std::size_t len = std::strlen(name);
    if (std::strncmp(setting, name, len) != 0 || (setting[len] != '\0' && setting[len] != ':'))
        return false;
    const int nth = setting[len] == ':' ? std::atoi(setting + len + 1) : 1;
    return ++hits == nth;
}

}  // namespace

void reset_fault_counts() noexcept {
    hits = 0;
}

void fault_point(const char* name) {
    const char* setting = fault_injection_setting();
    if (setting == nullptr || *setting == '\0')
        return;
    if (std::strcmp(setting, "trace") == 0) {
        pg_call([&] { ereport(NOTICE, (errmsg_internal("fault point %s", name))); });
        return;
    }
    if (std::strncmp(setting, "jitter:", 7) == 0) {
        const long most = std::atol(setting + 7);
        if (most > 0)
            wait_ms(static_cast<long>(pg_prng_uint64_range(&pg_global_prng_state, 0,
                                                           static_cast<uint64>(most))));
        return;
    }
    if (std::strncmp(setting, "pause:", 6) == 0) {
        if (!reached(setting + 6, name))
            return;
        // Shown in pg_stat_activity, so that a test knows where to interrupt.
        const std::string text = std::string("migrations_schema fault pause at ") + name;
        pg_call([&] { pgstat_report_activity(STATE_RUNNING, text.c_str()); });
        // "pause:name:N:MS" waits MS milliseconds, a minute without.
        const char* count = std::strchr(setting + 6, ':');
        const char* ms = count != nullptr ? std::strchr(count + 1, ':') : nullptr;
        wait_ms(ms != nullptr ? std::atol(ms + 1) : 60000);
        return;
    }
    if (!reached(setting, name))
        return;
    const std::string point = setting;
    pg_call([&] {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("fault injected at %s", point.c_str()),
                        errdetail("migrations_schema.fault_injection is set.")));
    });
}

}  // namespace ms::pg
