# samples/build.mk — sample programs, built with -g so symbolization can be checked.
# C samples: samples/c/*.c -> $(BUILD)/samples/NAME ; C++: samples/c/*.cc.
# They may include <memdump.h> (dump/include) to take snapshots through the API.

SAMPLE_C    := $(wildcard samples/c/*.c)
SAMPLE_CXX  := $(wildcard samples/c/*.cc)
SAMPLE_BINS := $(SAMPLE_C:samples/c/%.c=$(BUILD)/samples/%) $(SAMPLE_CXX:samples/c/%.cc=$(BUILD)/samples/%)
SAMPLE_FLAGS := -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror -pthread -Idump/include

$(BUILD)/samples/%: samples/c/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(SAMPLE_FLAGS) -o $@ $<

$(BUILD)/samples/%: samples/c/%.cc
	@mkdir -p $(dir $@)
	g++ -std=c++17 $(SAMPLE_FLAGS) -o $@ $<

all: $(SAMPLE_BINS)
