# tests/build.mk — unit test programs: every tests/unit/test_*.c becomes $(BUILD)/tests/test_*,
# linked with the format and analysis libraries. End-to-end tests are scripts in tests/e2e/.

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(ANALYZE_LIB) $(FORMAT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_TOOL) -o $@ $< $(ANALYZE_LIB) $(FORMAT_LIB) $(TOOL_LIBS)

all: $(UNIT_BINS)
