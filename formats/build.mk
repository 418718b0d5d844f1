# formats/build.mk — the dump format library, built twice: for the tools (may be sanitized) and
# position-independent for the agent (never sanitized, linked into libmemdump.so). Also the
# format's test helpers: the sample-dump generator, `make fuzz` (libFuzzer on the reader) and the
# writer benchmark that tests/bench/run.sh runs.

FORMAT_SRCS     := $(wildcard formats/*.c)
FORMAT_OBJS     := $(FORMAT_SRCS:%.c=$(BUILD)/obj/%.o)
FORMAT_PIC_OBJS := $(FORMAT_SRCS:%.c=$(BUILD)/pic/%.o)
FORMAT_LIB      := $(LIB)/libmdformat.a

$(FORMAT_LIB): $(FORMAT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

all: $(FORMAT_LIB)

# ---- sample dumps for e2e tests and fuzz seeds (not a test: no test_ prefix) --------------
$(BUILD)/tests/gen-sample-dump: $(BUILD)/obj/tests/fuzz/gen_sample_dump.o $(FORMAT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_TOOL) -o $@ $< $(FORMAT_LIB) $(TOOL_LIBS)

all: $(BUILD)/tests/gen-sample-dump

# ---- writer benchmark (run by tests/bench/run.sh, never by the test suite) ----------------
$(BUILD)/bench/bench_writer: $(BUILD)/obj/tests/bench/bench_writer.o $(FORMAT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_TOOL) -o $@ $< $(FORMAT_LIB) $(TOOL_LIBS)

all: $(BUILD)/bench/bench_writer

# ---- make fuzz: libFuzzer on md_reader_open_mem/md_reader_next ---------------------------
# Built with clang and its own sanitizer flags into build/fuzz, independent of BUILD/SAN. The
# seed corpus is generated from the sample dump; findings (crash-*, leak-*, timeout-*) land in
# build/fuzz/artifacts and fail the target.
FUZZ_DIR    := build/fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Iformats -Itests/fuzz \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS   := tests/fuzz/fuzz_reader.c formats/md_reader.c formats/md_records.c \
               formats/md_cursor.c formats/md_kinds.c

$(FUZZ_DIR)/fuzz_reader: $(FUZZ_SRCS) $(wildcard formats/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS) -lz

fuzz: deps $(FUZZ_DIR)/fuzz_reader
	@$(MAKE) --no-print-directory $(BUILD)/tests/gen-sample-dump
	@tests/fuzz/run.sh $(FUZZ_DIR) $(BUILD)/tests/gen-sample-dump $(FUZZ_SECONDS)
