# dump/python/build.mk — the CPython walker plugins, one per CPython found at build time.
#
# dump/python/find_pythons.sh lists the installations (version, headers, libdir, executable).
# For each version V every dump/python/*.c is compiled against that installation's own headers
# (internal ones included) into $(BUILD)/pic/dump/python/V/, and linked into
#   $(LIB)/memdump-py/python-V.so        the plugin (exports memdump_plugin)
#   $(BUILD)/tests/python-V/_mdpywalk.so a test extension driving the walker without the agent
# The plugin carries its own copy of the format writer (formats/*.c, position-independent);
# md_child_* come from libmemdump.so, which loads it. The `memdump` Python module is copied to
# $(LIB)/memdump-py/memdump/.

PY_FOUND   := $(shell dump/python/find_pythons.sh 2>/dev/null | tr ' ' '|')
PY_SRCS    := $(wildcard dump/python/*.c)
PY_TEST_SRCS := tests/python/pywalk_module.c tests/python/pytest_child.c
PY_MODULE_SRCS := $(wildcard dump/python/memdump/*.py)
PY_MODULE_OUT  := $(PY_MODULE_SRCS:dump/python/memdump/%=$(LIB)/memdump-py/memdump/%)

# $(1) version, $(2) include dir
define PY_PLUGIN_RULES
PY_OBJS_$(1) := $$(PY_SRCS:dump/python/%.c=$$(BUILD)/pic/dump/python/$(1)/%.o)
PY_TOBJS_$(1) := $$(PY_TEST_SRCS:tests/python/%.c=$$(BUILD)/pic/tests/python/$(1)/%.o)
PY_CFLAGS_$(1) := $$(CFLAGS_PIC) -Idump/agent -Idump/python -isystem $(2) -DMD_PY_VERSION='"$(1)"'

$$(BUILD)/pic/dump/python/$(1)/%.o: dump/python/%.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(PY_CFLAGS_$(1)) $$(DEPFLAGS) -c $$< -o $$@

$$(BUILD)/pic/tests/python/$(1)/%.o: tests/python/%.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(PY_CFLAGS_$(1)) $$(DEPFLAGS) -c $$< -o $$@

$$(LIB)/memdump-py/python-$(1).so: $$(PY_OBJS_$(1)) $$(FORMAT_PIC_OBJS)
	@mkdir -p $$(dir $$@)
	$$(CC) -shared -o $$@ $$^ -lz -lpthread

$$(BUILD)/tests/python-$(1)/_mdpywalk.so: $$(PY_OBJS_$(1)) $$(PY_TOBJS_$(1)) $$(FORMAT_PIC_OBJS)
	@mkdir -p $$(dir $$@)
	$$(CC) -shared -o $$@ $$^ -lz -lpthread

all: $$(LIB)/memdump-py/python-$(1).so $$(BUILD)/tests/python-$(1)/_mdpywalk.so
endef

$(foreach p,$(PY_FOUND),$(eval $(call PY_PLUGIN_RULES,$(word 1,$(subst |, ,$(p))),$(word 2,$(subst |, ,$(p))))))

$(LIB)/memdump-py/memdump/%.py: dump/python/memdump/%.py
	@mkdir -p $(dir $@)
	cp $< $@

# what was found, for tests and `memdump run` (version executable per line)
$(LIB)/memdump-py/pythons.txt: dump/python/find_pythons.sh
	@mkdir -p $(dir $@)
	dump/python/find_pythons.sh > $@

all: $(PY_MODULE_OUT) $(LIB)/memdump-py/pythons.txt
