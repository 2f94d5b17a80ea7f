// The shared library's identity and per-backend setup.
#include "pg/base/pg.hpp"
#include "pg/base/settings.hpp"
#include "pg/runner/protection.hpp"

extern "C" {

PG_MODULE_MAGIC;

void _PG_init(void);

void _PG_init(void) {
    ms::pg::define_settings();
    ms::pg::install_protection_hooks();
}

}
