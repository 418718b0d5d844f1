# dump/build.mk — the agent (build/lib/libmemdump.so, loaded into target processes) and the
# memdump command. Agent objects are position-independent and never sanitized: they run inside
# other people's programs. Agent test helpers (tests/agent/) are built into build/tests/agent/.

AGENT_SRCS := $(wildcard dump/agent/*.c)
AGENT_OBJS := $(AGENT_SRCS:%.c=$(BUILD)/pic/%.o)
AGENT_SO   := $(LIB)/libmemdump.so
CLI_SRCS   := $(wildcard dump/cli/*.c)
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/dump/agent/md_parse.o

$(AGENT_SO): $(AGENT_OBJS) $(FORMAT_PIC_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-z,defs -Wl,-z,now -o $@ $^ -lz -ldl -lpthread

$(BIN)/memdump: $(CLI_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_TOOL) -o $@ $(CLI_OBJS)

# Test helpers: programs (tests/agent/*.c except plugin_*.c) and test plugins (plugin_*.c).
AGENT_TEST_SRCS    := $(filter-out tests/agent/plugin_%.c,$(wildcard tests/agent/*.c))
AGENT_TEST_BINS    := $(AGENT_TEST_SRCS:tests/agent/%.c=$(BUILD)/tests/agent/%)
AGENT_TEST_PLUGINS := $(patsubst tests/agent/%.c,$(BUILD)/tests/agent/%.so,$(wildcard tests/agent/plugin_*.c))

$(BUILD)/tests/agent/%: tests/agent/%.c $(FORMAT_LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror \
	  -pthread -Idump/include -Iformats -o $@ $< $(FORMAT_LIB) -lmsgpackc -lz -ldl

# A plugin carries its own copy of the format writer (as dump/python's do); md_child_* come from
# libmemdump.so, which loads it.
$(BUILD)/tests/agent/plugin_%.so: tests/agent/plugin_%.c $(FORMAT_PIC_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PIC) -Idump/agent -shared -o $@ $< $(FORMAT_PIC_OBJS) -lz

# The exact-count sample again, optimized and without frame pointers: stacks must come out the
# same through the .eh_frame rules.
$(BUILD)/tests/agent/exact_nofp: samples/c/exact.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -Idump/include \
	  -o $@ $<

# Benchmark programs (tests/bench/agent_*.c), plain -O2 like most software: build/bench/.
AGENT_BENCH_BINS := $(patsubst tests/bench/agent_%.c,$(BUILD)/bench/agent_%,$(wildcard tests/bench/agent_*.c))
$(BUILD)/bench/agent_%: tests/bench/agent_%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -o $@ $<

all: $(AGENT_SO) $(BIN)/memdump $(AGENT_TEST_BINS) $(AGENT_TEST_PLUGINS) $(BUILD)/tests/agent/exact_nofp \
     $(AGENT_BENCH_BINS)

-include dump/python/build.mk
