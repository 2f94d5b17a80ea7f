// PostgreSQL's C headers, included once with C linkage for the whole shell.
#pragma once

// A server built without NLS defines gettext() as a macro in c.h; a C++ standard header
// that includes <libintl.h> afterwards would then fail to compile. Declared first, it is
// harmless either way.
#include <libintl.h>

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}
