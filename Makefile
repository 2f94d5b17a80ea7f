# PGXS build of the extension. The pure core is compiled in here too; CMakeLists.txt builds
# it again on its own for the unit tests and fuzzers.
EXTENSION  = migrations_schema
MODULE_big = migrations_schema
# Every version's install script and every upgrade script: installations of 0.1.0 update.
DATA       = $(wildcard install/migrations_schema--*.sql)
PGFILEDESC = "migrations_schema - schema migrations run from inside the server"

# What only the client uses (masking connection strings, terminal text) stays out of the
# library every backend loads.
CLIENT_ONLY = $(wildcard src/core/client/*.cpp) src/core/folder/new_migration.cpp
CORE_SRCS = $(filter-out $(CLIENT_ONLY),$(sort $(wildcard src/core/*/*.cpp)))
PG_SRCS   = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS      = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

REGRESS      = $(shell grep -v "^\#" test/regress.list)
REGRESS_OPTS = --inputdir=.
TAP_TESTS    = 1
PROVE_TESTS  = test/t/*.pl

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# No JIT bitcode, even where the server is built with LLVM: JIT inlines small functions into
# the expressions of per-row plans, and no function of this library is one (each call runs a
# migration step or reads the registry). It would be a second compile of every file, with
# clang, for nothing. Set before PGXS so that its Makefile.global cannot turn it back on.
override with_llvm = no

PG_CPPFLAGS += -Isrc
# -isystem keeps the server's headers out of our warnings; our own code stays at -Wall -Wextra.
PG_CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-register -fexceptions \
               -isystem $(shell $(PG_CONFIG) --includedir-server)
SHLIB_LINK  += -lstdc++

include $(PGXS)

# An earlier install's bitcode (earlier builds shipped it) would still be inlined by JIT in
# place of this build's code: it goes when this build is installed.
install: drop-stale-bitcode
.PHONY: drop-stale-bitcode
drop-stale-bitcode:
	rm -rf '$(DESTDIR)$(pkglibdir)/bitcode/$(MODULE_big)' '$(DESTDIR)$(pkglibdir)/bitcode/$(MODULE_big).index.bc'

# Header dependencies: a changed struct must rebuild every object that uses it.
override CXXFLAGS += -MMD -MP

EXTRA_CLEAN = results regression.diffs regression.out tmp_check $(OBJS:.o=.d)

-include $(OBJS:.o=.d)

# PGXN's distribution, $(DIST).zip: the committed tree (git archive of HEAD) in a git
# checkout; elsewhere every file .gitignore does not exclude, read through a throwaway index.
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
DIST       = $(EXTENSION)-$(EXTVERSION)
.PHONY: dist
dist:
	@rm -f $(DIST).zip
	@if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
	    git archive --format=zip --prefix=$(DIST)/ -o $(DIST).zip HEAD; \
	else \
	    index=$$(mktemp -d) && export GIT_DIR=$$index/git GIT_WORK_TREE=. && git init -q && \
	    git add -A && git archive --format=zip --prefix=$(DIST)/ -o $(DIST).zip $$(git write-tree); \
	    status=$$?; rm -rf $$index; exit $$status; \
	fi
	@echo $(DIST).zip
