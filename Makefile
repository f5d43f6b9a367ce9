# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-boot: `make` builds, `make check` runs every test, `make demo` shows the
# binder on a built-in example, `make install DESTDIR=... PREFIX=/usr` installs.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
LIBDIR_DRACUT ?= $(PREFIX)/lib/dracut/modules.d
MODPROBEDIR ?= $(PREFIX)/lib/modprobe.d

CC ?= cc
MUSLCC ?= musl-gcc
STD = -std=c11 -D_GNU_SOURCE
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
       -Wvla -Wwrite-strings -Wundef -fno-common
CFLAGS ?= -O2 -g
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B = build
# The tree shows the architecture: src/shared is the planning core and the
# readers both programs use, src/bind the boot binder, src/configure the
# configurator. Each program sees only its own headers and the shared ones.
SHARED = $(basename $(notdir $(wildcard src/shared/*.c)))
BIND = $(basename $(notdir $(wildcard src/bind/*.c)))
CONF = $(basename $(notdir $(wildcard src/configure/*.c)))
SHARED_HDR = $(wildcard src/shared/*.h)
BIND_HDR = $(wildcard src/bind/*.h)
CONF_HDR = $(wildcard src/configure/*.h)
PKG_CFLAGS = $(shell pkg-config --cflags libkmod libpci 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs libkmod libpci 2>/dev/null || echo -lkmod -lpci)

# The boot binder: static, small, no shared libraries.
BIND_CFLAGS = $(STD) $(WARN) -Isrc/shared -Isrc/bind -Os -static -ffunction-sections \
	      -fdata-sections -Wl,--gc-sections -s
$(B)/vfio-boot-bind: $(addprefix src/shared/,$(addsuffix .c,$(SHARED))) \
		     $(addprefix src/bind/,$(addsuffix .c,$(BIND))) $(SHARED_HDR) $(BIND_HDR) | $(B)
	$(MUSLCC) $(BIND_CFLAGS) -o $@ $(filter %.c,$^)

# The configurator: dynamic, with libkmod and libpci.
CONF_INC = -Isrc/shared -Isrc/configure
$(B)/host/shared/%.o: src/shared/%.c $(SHARED_HDR) | $(B)/host/shared
	$(CC) $(STD) $(WARN) $(CFLAGS) -Isrc/shared -c -o $@ $<
$(B)/host/configure/%.o: src/configure/%.c $(SHARED_HDR) $(CONF_HDR) | $(B)/host/configure
	$(CC) $(STD) $(WARN) $(CFLAGS) $(CONF_INC) $(PKG_CFLAGS) -c -o $@ $<
$(B)/vfio-boot: $(addprefix $(B)/host/shared/,$(addsuffix .o,$(SHARED))) \
		$(addprefix $(B)/host/configure/,$(addsuffix .o,$(CONF)))
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# Everything but the two main()s built again for unit tests under ASan/UBSan,
# warnings as errors.
ASAN_CC = $(CC) $(STD) $(WARN) -Werror -g -O1 $(SANITIZE)
ALL_INC = -Isrc/shared -Isrc/bind -Isrc/configure
$(B)/asan/shared/%.o: src/shared/%.c $(SHARED_HDR) | $(B)/asan/shared
	$(ASAN_CC) -Isrc/shared -c -o $@ $<
$(B)/asan/bind/%.o: src/bind/%.c $(SHARED_HDR) $(BIND_HDR) | $(B)/asan/bind
	$(ASAN_CC) -Isrc/shared -Isrc/bind -c -o $@ $<
$(B)/asan/configure/%.o: src/configure/%.c $(SHARED_HDR) $(CONF_HDR) | $(B)/asan/configure
	$(ASAN_CC) $(CONF_INC) $(PKG_CFLAGS) -c -o $@ $<
ASAN_OBJS = $(addprefix $(B)/asan/shared/,$(addsuffix .o,$(SHARED))) \
	    $(addprefix $(B)/asan/bind/,$(addsuffix .o,$(filter-out main,$(BIND)))) \
	    $(addprefix $(B)/asan/configure/,$(addsuffix .o,$(filter-out main,$(CONF))))
UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/asan/%,$(wildcard tests/unit/test-*.c))
$(B)/asan/test-%: tests/unit/test-%.c tests/unit/unit.h $(ASAN_OBJS) | $(B)/asan
	$(ASAN_CC) $(ALL_INC) -o $@ $< $(ASAN_OBJS) $(PKG_LIBS)

$(B) $(B)/asan $(B)/asan/shared $(B)/asan/bind $(B)/asan/configure $(B)/host/shared $(B)/host/configure:
	mkdir -p $@

all: $(B)/vfio-boot-bind $(B)/vfio-boot

SHELL_FILES = $(shell grep -rlE '^\#!.*(/sh|bash)' initramfs-hooks dracut-module tests bench tools .ci 2>/dev/null)

deps-build:
	@tools/deps.sh build
deps-check:
	@tools/deps.sh check

unit: deps-check $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

bind-tests: deps-check $(B)/vfio-boot-bind
	tests/bind/run.sh $(B)/vfio-boot-bind

configure-tests: deps-check $(B)/vfio-boot $(B)/vfio-boot-bind
	tests/configure/run.sh $(B)/vfio-boot $(B)/vfio-boot-bind
	tests/configure/confine.sh $(B)/vfio-boot
	tests/configure/race.sh $(B)/vfio-boot
	tests/configure/faults.sh $(B)/vfio-boot

static-check: $(B)/vfio-boot-bind
	tests/static-check.sh $(B)/vfio-boot-bind

lint: deps-check
	shellcheck $(SHELL_FILES)

boot-tests: deps-check $(B)/vfio-boot-bind
	tests/boot/run.sh

chroot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/chroot/run.sh $(B)/vfio-boot

check: deps-check unit static-check bind-tests configure-tests lint boot-tests chroot-tests
	@echo "make check: all suites passed"

# Benchmarks, not tests: tables in bench/*.md (see bench/README.md).
bench: deps-bench $(B)/vfio-boot-bind $(B)/vfio-boot
	bench/run.sh
	bench/configurator.sh
	bench/boot.sh

deps-bench:
	@tools/deps.sh bench

# libFuzzer on the config, command-line and selector parsers and the planner.
FUZZ_SECONDS ?= 60
$(B)/fuzz-config: tests/fuzz/fuzz-config.c $(addprefix src/shared/,$(addsuffix .c,msgs hex pci selector config plan)) $(SHARED_HDR) | $(B)
	clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isrc/shared -o $@ $(filter %.c,$^)
# The journal reader (configure's state): what it reads, it writes back the same.
$(B)/fuzz-journal: tests/fuzz/fuzz-journal.c $(addprefix src/configure/,journal.c sha256.c) src/shared/msgs.c $(SHARED_HDR) $(CONF_HDR) | $(B)
	clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Isrc/shared -Isrc/configure -o $@ $(filter %.c,$^)
fuzz: $(B)/fuzz-config $(B)/fuzz-journal
	mkdir -p $(B)/fuzz-corpus && cp tests/fuzz/corpus/* $(B)/fuzz-corpus/
	$(B)/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=2048 $(B)/fuzz-corpus
	mkdir -p $(B)/fuzz-corpus-journal && cp tests/fuzz/corpus-journal/* $(B)/fuzz-corpus-journal/
	$(B)/fuzz-journal -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $(B)/fuzz-corpus-journal

demo: deps-build $(B)/vfio-boot-bind $(B)/vfio-boot
	tools/demo.sh $(B)/vfio-boot-bind

install: $(B)/vfio-boot-bind $(B)/vfio-boot
	install -D -m 0755 $(B)/vfio-boot-bind $(DESTDIR)$(SBINDIR)/vfio-boot-bind
	install -D -m 0755 $(B)/vfio-boot $(DESTDIR)$(SBINDIR)/vfio-boot
	install -d $(DESTDIR)$(DATADIR)/initramfs-tools/hooks \
		$(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-top \
		$(DESTDIR)$(LIBDIR_DRACUT)/50vfio-boot $(DESTDIR)$(MODPROBEDIR)
	install -m 0755 initramfs-hooks/hooks/* $(DESTDIR)$(DATADIR)/initramfs-tools/hooks/
	install -m 0755 initramfs-hooks/scripts/init-top/* \
		$(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-top/
	install -m 0755 dracut-module/50vfio-boot/* $(DESTDIR)$(LIBDIR_DRACUT)/50vfio-boot/
	install -m 0644 modprobe.d/*.conf $(DESTDIR)$(MODPROBEDIR)/
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/man/man8 man/*.8

clean:
	rm -rf $(B)

# Keep the objects between runs: make would delete them as intermediates.
.SECONDARY:

.PHONY: all bench fuzz deps-bench deps-build deps-check unit bind-tests configure-tests chroot-tests static-check lint boot-tests check demo install clean
.DEFAULT_GOAL := all
