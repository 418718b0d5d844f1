# memdump — top-level Makefile.
#
#   make            build everything into build/ (nothing is installed)
#   make test       install missing Debian packages, build, run every test
#   make demo       same set-up, then show a snapshot being taken and analyzed
#   make asan       build the tools with AddressSanitizer + UBSan into build/asan and run the tests
#   make fuzz       libFuzzer on the dump reader for a bounded time (FUZZ_SECONDS)
#   make bench      performance figures quoted in README (QUICK=1 for a short run)
#   make install PREFIX=/usr/local
#
# Each directory describes its own targets in a build.mk fragment; this file holds the flags
# and the generic rules. Objects for the tools go to $(BUILD)/obj (sanitizers apply there);
# objects for code loaded into target processes go to $(BUILD)/pic and are never sanitized.

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= gcc
ifeq ($(CC),cc)
CC      := gcc
endif
SAN     ?=
QUICK   ?=
FUZZ_SECONDS ?= 60

WARN    := -Wall -Wextra -Werror
CSTD    := -std=c11 -D_GNU_SOURCE
OPT     := -O2 -g -fno-omit-frame-pointer
DEPFLAGS = -MMD -MP
INCLUDES := -Iformats -Idump/include -Ianalyze

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
SANFLAGS :=
endif

CFLAGS_TOOL  := $(CSTD) $(WARN) $(OPT) $(INCLUDES) $(SANFLAGS)
CFLAGS_PIC   := $(CSTD) $(WARN) $(OPT) $(INCLUDES) -fPIC -fvisibility=hidden
LDFLAGS_TOOL := $(SANFLAGS)
TOOL_LIBS    := -lmsgpackc -lz -ldwarf -lelf -lstdc++ -lm -lpthread

BIN := $(BUILD)/bin
LIB := $(BUILD)/lib

.PHONY: all test demo asan fuzz bench install clean deps
# keep intermediate objects (unit test .o files) so a second make does nothing
.SECONDARY:
all:

# ---- generic rules ----------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TOOL) $(DEPFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PIC) $(DEPFLAGS) -c $< -o $@

include formats/build.mk
include analyze/build.mk
include analyze/symbolize/build.mk
include dump/build.mk
include samples/build.mk
include tests/build.mk

# ---- set-up and entry points --------------------------------------------------------------
deps:
	@tests/setup/deps.sh

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@samples/demo.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run.sh build/asan

bench: deps
	@tests/bench/deps.sh
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh $(BUILD) $(QUICK)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/memdump
	install -m 755 $(BIN)/memdump $(BIN)/memanalyze $(BIN)/memdiff $(DESTDIR)$(PREFIX)/bin/
	cp -R $(LIB)/. $(DESTDIR)$(PREFIX)/lib/memdump/

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
