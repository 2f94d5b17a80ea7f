#include "pg/base/fault.hpp"

#include "pg/base/guard.hpp"
#include "pg/base/settings.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

namespace ms::pg {

namespace {

int hits = 0;

}  // namespace

void reset_fault_counts() noexcept {
    hits = 0;
}

void fault_point(const char* name) {
    const char* setting = fault_injection_setting();
    if (setting == nullptr || *setting == '\0')
        return;
    const std::size_t len = std::strlen(name);
    if (std::strncmp(setting, name, len) != 0 || (setting[len] != '\0' && setting[len] != ':'))
        return;
    const int nth = setting[len] == ':' ? std::atoi(setting + len + 1) : 1;
    if (++hits != nth)
        return;
    const std::string point = setting;
    pg_call([&] {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("fault injected at %s", point.c_str()),
                        errdetail("migrations_schema.fault_injection is set.")));
    });
}

}  // namespace ms::pg
