# analyze/symbolize/build.mk — test fixtures of the offline symbolizer. (Its library sources are
# compiled by analyze/build.mk, which takes every .c under analyze/.)
#
# The fixture program is built several ways so one unit test covers what real dumps contain:
#   symfix             gcc, PIE, DWARF 5, C and C++, linked with libsymfix.so
#   symfix-nopie-dw4   gcc, non-PIE, DWARF 4
#   symfix-clang       clang, DWARF 5 with the indexed forms (addrx, strx, rnglistx) gcc avoids
#   symfix-rebuilt     the objects of symfix relinked with another build-id (mismatch test)
#   symfix-stripped    symfix without .symtab and DWARF; its debug file is in
#   dbg/.build-id/xx/yyyy.debug (objcopy --only-keep-debug), the layout --debug-dir expects
# Build-ids are fixed (-Wl,--build-id=0x...) so the tests know them. Fixtures are never
# sanitized: they are data for the symbolizer, not code under test.

SYMFIX_SRC  := tests/fixtures/symbolize
SYMFIX      := $(BUILD)/fixtures/symbolize
SYMFIX_HDRS := $(wildcard $(SYMFIX_SRC)/*.h)
SYMFIX_CXX  := g++
SYMFIX_CLANG := $(shell command -v clang 2>/dev/null)
SYMFIX_OPT  := -g -O2 -Wall -Wextra -Werror -I$(SYMFIX_SRC)

SYMFIX_ID_EXE   := 5ca1ab1e00000000000000000000000000000e01
SYMFIX_ID_OTHER := 5ca1ab1e0000000000000000000000000000bad1
SYMFIX_ID_LIB   := 5ca1ab1e000000000000000000000000000001b1
SYMFIX_ID_DW4   := 5ca1ab1e00000000000000000000000000000d04
SYMFIX_ID_CLANG := 5ca1ab1e00000000000000000000000000000c1a
SYMFIX_DEBUG    := $(SYMFIX)/dbg/.build-id/$(shell echo $(SYMFIX_ID_EXE) | cut -c1-2)/$(shell echo $(SYMFIX_ID_EXE) | cut -c3-).debug

$(SYMFIX)/libsymfix.so: $(SYMFIX_SRC)/symfix_lib.c $(SYMFIX_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SYMFIX_OPT) -fPIC -shared -Wl,--build-id=0x$(SYMFIX_ID_LIB) -o $@ $<

# $(call symfix_variant,NAME,CC,CXX,CFLAGS,LDFLAGS,BUILD-ID): compile both halves and link them.
define symfix_variant
$(SYMFIX)/$(1): $(SYMFIX_SRC)/symfix_c.c $(SYMFIX_SRC)/symfix_cpp.cpp $(SYMFIX_HDRS) $(SYMFIX)/libsymfix.so
	@mkdir -p $(SYMFIX)/obj-$(1)
	$(2) $(SYMFIX_OPT) $(4) -c $(SYMFIX_SRC)/symfix_c.c -o $(SYMFIX)/obj-$(1)/symfix_c.o
	$(3) $(SYMFIX_OPT) $(4) -c $(SYMFIX_SRC)/symfix_cpp.cpp -o $(SYMFIX)/obj-$(1)/symfix_cpp.o
	$(3) $(5) -o $$@ $(SYMFIX)/obj-$(1)/symfix_c.o $(SYMFIX)/obj-$(1)/symfix_cpp.o \
	  -L$(SYMFIX) -lsymfix -Wl,-rpath,'$$$$ORIGIN' -Wl,--build-id=0x$(6)
endef

$(eval $(call symfix_variant,symfix,$(CC),$(SYMFIX_CXX),-fPIE,-pie,$(SYMFIX_ID_EXE)))
$(eval $(call symfix_variant,symfix-nopie-dw4,$(CC),$(SYMFIX_CXX),-gdwarf-4 -fno-pie,-no-pie,$(SYMFIX_ID_DW4)))
SYMFIX_ALL := $(SYMFIX)/libsymfix.so $(SYMFIX)/symfix $(SYMFIX)/symfix-nopie-dw4 \
              $(SYMFIX)/symfix-rebuilt $(SYMFIX)/symfix-stripped $(SYMFIX_DEBUG)
ifneq ($(SYMFIX_CLANG),)
$(eval $(call symfix_variant,symfix-clang,clang,clang++,-gdwarf-5 -fPIE,-pie,$(SYMFIX_ID_CLANG)))
SYMFIX_ALL += $(SYMFIX)/symfix-clang
endif

$(SYMFIX)/symfix-rebuilt: $(SYMFIX)/symfix
	$(SYMFIX_CXX) -fPIE -pie -o $@ $(SYMFIX)/obj-symfix/symfix_c.o $(SYMFIX)/obj-symfix/symfix_cpp.o \
	  -L$(SYMFIX) -lsymfix -Wl,-rpath,'$$ORIGIN' -Wl,--build-id=0x$(SYMFIX_ID_OTHER)

$(SYMFIX)/symfix-stripped: $(SYMFIX)/symfix
	strip --strip-all -o $@ $<

$(SYMFIX_DEBUG): $(SYMFIX)/symfix
	@mkdir -p $(dir $@)
	objcopy --only-keep-debug $< $@

$(BUILD)/tests/test_symbolize: | $(SYMFIX_ALL)
all: $(SYMFIX_ALL)

# make bench: tests/bench/bench_symbolize FILE [N] times 10 000 lookups, cold and warm.
$(BUILD)/bench/bench_symbolize: $(BUILD)/obj/tests/bench/bench_symbolize.o $(ANALYZE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_TOOL) -o $@ $< $(ANALYZE_LIB) $(TOOL_LIBS)
all: $(BUILD)/bench/bench_symbolize
