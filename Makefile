# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-boot: `make` builds, `make check` runs every test, `make demo` shows the
# binder on a built-in example, `make install DESTDIR=... PREFIX=/usr` installs.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# Each initramfs generator reads its hooks from one place, whatever PREFIX is.
ITOOLSDIR ?= /usr/share/initramfs-tools
DRACUTMODDIR ?= $(or $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null),/usr/lib/dracut/modules.d)
INITCPIODIR ?= /usr/lib/initcpio

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

SHELL_FILES = $(shell grep -rlE '^\#!.*(/sh|bash|ash)' initramfs-hooks dracut-module mkinitcpio tests bench tools .ci 2>/dev/null)

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

boot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/boot/run.sh

chroot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/chroot/run.sh $(B)/vfio-boot

system-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/system/run.sh

check: deps-check unit static-check bind-tests configure-tests lint boot-tests chroot-tests \
	system-tests
	@echo "make check: all suites passed"

# Benchmarks, not tests: tables in bench/*.md (see bench/README.md).
bench: deps-bench $(B)/vfio-boot-bind $(B)/vfio-boot
	bench/run.sh
	bench/configurator.sh
	bench/boot.sh

deps-bench:
	@tools/deps.sh bench

# libFuzzer on what the binder parses at boot (the config file, the command
# line, the selectors and the planner) and on what the image check reads (the
# cpio archives of an initramfs, the PE headers of a unified kernel image).
FUZZ_SECONDS ?= 60
FUZZ_CC = clang $(STD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(B)/fuzz-config: tests/fuzz/fuzz-config.c $(addprefix src/shared/,$(addsuffix .c,msgs hex pci selector config plan)) $(SHARED_HDR) | $(B)
	$(FUZZ_CC) -Isrc/shared -o $@ $(filter %.c,$^)
$(B)/fuzz-cpio: tests/fuzz/fuzz-cpio.c src/configure/cpio.c src/configure/pe.c src/configure/cpio.h src/configure/pe.h | $(B)
	$(FUZZ_CC) -Isrc/configure -o $@ $(filter %.c,$^)
# The journal reader (configure's state): what it reads, it writes back the same.
$(B)/fuzz-journal: tests/fuzz/fuzz-journal.c $(addprefix src/configure/,journal.c sha256.c) src/shared/msgs.c $(SHARED_HDR) $(CONF_HDR) | $(B)
	$(FUZZ_CC) -Isrc/shared -Isrc/configure -o $@ $(filter %.c,$^)
fuzz: $(B)/fuzz-config $(B)/fuzz-cpio $(B)/fuzz-journal
	mkdir -p $(B)/fuzz-corpus $(B)/fuzz-corpus-cpio $(B)/fuzz-corpus-journal
	cp tests/fuzz/corpus/* $(B)/fuzz-corpus/
	cp tests/fuzz/corpus-cpio/* $(B)/fuzz-corpus-cpio/
	cp tests/fuzz/corpus-journal/* $(B)/fuzz-corpus-journal/
	$(B)/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=2048 $(B)/fuzz-corpus
	$(B)/fuzz-cpio -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $(B)/fuzz-corpus-cpio
	$(B)/fuzz-journal -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $(B)/fuzz-corpus-journal

demo: deps-build $(B)/vfio-boot-bind $(B)/vfio-boot
	tools/demo.sh $(B)/vfio-boot-bind

# What install puts where: uninstall removes exactly these. The hooks that
# copy the binder into an image get its installed path (@SBINDIR@).
INSTALLED = $(SBINDIR)/vfio-boot-bind $(SBINDIR)/vfio-boot \
	$(ITOOLSDIR)/hooks/vfio-boot $(ITOOLSDIR)/scripts/init-top/00vfio-boot \
	$(DRACUTMODDIR)/50vfio-boot/module-setup.sh $(DRACUTMODDIR)/50vfio-boot/vfio-boot-pre-udev.sh \
	$(INITCPIODIR)/install/vfio-boot $(INITCPIODIR)/hooks/vfio-boot \
	$(MANDIR)/man8/vfio-boot.8 $(MANDIR)/man8/vfio-boot-bind.8
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g'

install: $(B)/vfio-boot-bind $(B)/vfio-boot
	install -D -m 0755 $(B)/vfio-boot-bind $(DESTDIR)$(SBINDIR)/vfio-boot-bind
	install -D -m 0755 $(B)/vfio-boot $(DESTDIR)$(SBINDIR)/vfio-boot
	install -d $(DESTDIR)$(ITOOLSDIR)/hooks $(DESTDIR)$(ITOOLSDIR)/scripts/init-top \
		$(DESTDIR)$(DRACUTMODDIR)/50vfio-boot $(DESTDIR)$(INITCPIODIR)/install \
		$(DESTDIR)$(INITCPIODIR)/hooks $(DESTDIR)$(MANDIR)/man8
	$(SUBST) initramfs-hooks/hooks/vfio-boot >$(DESTDIR)$(ITOOLSDIR)/hooks/vfio-boot
	install -m 0755 initramfs-hooks/scripts/init-top/00vfio-boot $(DESTDIR)$(ITOOLSDIR)/scripts/init-top/
	$(SUBST) dracut-module/50vfio-boot/module-setup.sh >$(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/module-setup.sh
	install -m 0755 dracut-module/50vfio-boot/vfio-boot-pre-udev.sh $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/
	$(SUBST) mkinitcpio/install/vfio-boot >$(DESTDIR)$(INITCPIODIR)/install/vfio-boot
	install -m 0644 mkinitcpio/hooks/vfio-boot $(DESTDIR)$(INITCPIODIR)/hooks/
	chmod 0755 $(DESTDIR)$(ITOOLSDIR)/hooks/vfio-boot $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/module-setup.sh
	chmod 0644 $(DESTDIR)$(INITCPIODIR)/install/vfio-boot
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot 2>/dev/null || true

clean:
	rm -rf $(B)

# Keep the objects between runs: make would delete them as intermediates.
.SECONDARY:

.PHONY: all bench fuzz deps-bench deps-build deps-check unit bind-tests configure-tests chroot-tests static-check lint boot-tests system-tests check demo install uninstall clean
.DEFAULT_GOAL := all
