# Berth build. Each program lives in src/NAME/ and declares itself in src/NAME/module.mk
# (PROGRAMS += NAME, NAME_BIN, NAME_LIBS); every .c below src/NAME except main.c goes
# into build/libNAME.a, which the program, its unit tests and its fuzz targets link.
#
#   make            programs into build/
#   make SAN=1      the same with ASan+UBSan into build/san/
#   make unit       unit tests (cmocka) into $(BUILD)/tests/unit/
#   make fuzz       libFuzzer targets (clang, ASan+UBSan) into build/fuzz/
#   make check      everything above, then tests/run (unit, fuzz, system tests)
#   make demo       build, then scripts/demo

CC ?= cc
BUILD ?= build
CFLAGS_COMMON := -std=gnu11 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -MMD -MP
OPT := -O2
ifeq ($(SAN),1)
BUILD := build/san
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS := $(CFLAGS_COMMON) $(OPT) $(EXTRA_CFLAGS)

FUZZ_CC ?= clang
FUZZ_FLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LINK := -fsanitize=fuzzer,address,undefined

.DEFAULT_GOAL := all
PROGRAMS := common
common_BIN :=
# A bzImage's payload decompressed once (common/kernel_payload.c, vmlinux_cache.c): its Debian
# compressors and nettle's sha256; berth-vmm (statically) and berthd link them too.
KERNEL_PAYLOAD_LIBS := -lz -llzma -lzstd -llz4 -lnettle
common_LIBS := $(KERNEL_PAYLOAD_LIBS)
include $(sort $(wildcard src/*/module.mk))

srcs_of = $(shell find src/$(1) -name '*.c' ! -name main.c | sort)
tests_of = $(shell find tests/unit/$(1) -name 'test_*.c' 2>/dev/null | sort)
fuzzers_of = $(shell find tests/fuzz/$(1) -name 'fuzz_*.c' 2>/dev/null | sort)

BINS :=
UNIT_TESTS :=
FUZZERS :=

# A module's generated sources (NAME_GEN, made under build/gen/ by rules of its module.mk)
# go into its library like its own.
define program
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/obj/%.o,$$(call srcs_of,$(1)) $$($(1)_GEN))
$(1)_FUZZOBJ := $$(patsubst %.c,build/fuzz/obj/%.o,$$(call srcs_of,$(1)) $$($(1)_GEN))
$(BUILD)/lib$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
build/fuzz/lib$(1).a: $$($(1)_FUZZOBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
ifneq ($$($(1)_BIN),)
BINS += $(BUILD)/$$($(1)_BIN)
$(BUILD)/$$($(1)_BIN): $(BUILD)/obj/src/$(1)/main.o $(BUILD)/lib$(1).a $(BUILD)/libcommon.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endif
UNIT_TESTS += $$(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$$(call tests_of,$(1)))
$(BUILD)/tests/unit/$(1)/%: tests/unit/$(1)/%.c $(BUILD)/lib$(1).a $(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -Itests/unit $$(LDFLAGS) -o $$@ $$(filter %.c %.a,$$^) -lcmocka $$($(1)_LIBS)
FUZZERS += $$(patsubst tests/fuzz/%.c,build/fuzz/%,$$(call fuzzers_of,$(1)))
build/fuzz/$(1)/%: tests/fuzz/$(1)/%.c build/fuzz/lib$(1).a build/fuzz/libcommon.a
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) $$(FUZZ_LINK) -o $$@ $$(filter %.c %.a,$$^) $$($(1)_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

.PHONY: all unit fuzz check demo clean format
all: $(BINS)
unit: $(UNIT_TESTS)
fuzz: $(FUZZERS)

check: all
	$(MAKE) SAN=1 unit
	$(MAKE) fuzz
	tests/run

demo: all
	scripts/demo

format:
	clang-format -i $$(find src tests -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# The benchmarks' helpers, built on demand by bench/lib.sh, bench/ct/run and bench/vmm/run:
# the stopwatch (bench/timing.c), the KVM floor (bench/vmm/kvm_floor.c),
build/bench/timing: bench/timing.c
build/bench/kvm_floor: bench/vmm/kvm_floor.c
build/bench/timing build/bench/kvm_floor:
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<
# and the jail's stand-in for berthd (bench/vmm/jailed.c), on berthd's own spawn and jail code
build/bench/jailed: bench/vmm/jailed.c build/libdaemon.a build/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.a,$^) $(daemon_LIBS)

# Tiny test guests (tests/guests/tiny.S), one bzImage per action.
TINY_GUESTS := poweroff hello reset triple panic button badio spin flood echo
GUESTS := $(patsubst %,build/guests/tiny-%.bzImage,$(TINY_GUESTS)) build/guests/tiny-pvh.elf
.PHONY: guests
guests: $(GUESTS)
all: guests
build/guests/tiny-%.bzImage: tests/guests/tiny.S
	@mkdir -p $(@D)
	$(CC) -c -x assembler-with-cpp -DACTION_$* -o $(@:.bzImage=.o) $<
	objcopy -O binary -j .text $(@:.bzImage=.o) $@
# An ELF vmlinux with a PVH entry note (tests/guests/tiny_pvh.S), for PVH boot on any KVM.
build/guests/tiny-pvh.elf: tests/guests/tiny_pvh.S
	@mkdir -p $(@D)
	$(CC) -c -x assembler-with-cpp -o $(@:.elf=.o) $<
	ld -m elf_x86_64 -static -nostdlib -N --no-warn-rwx-segments -Ttext=0x100000 -e pvh_start -o $@ $(@:.elf=.o)
