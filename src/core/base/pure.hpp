// Included last by every source file of src/core: the core must build without PostgreSQL,
// so that it can be unit-tested and fuzzed on its own and shared with the client.
#pragma once

#ifdef PG_MAJORVERSION  // pg_config.h, which every PostgreSQL header includes
static_assert(false, "src/core must not include PostgreSQL headers");
#endif
