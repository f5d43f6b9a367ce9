# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-boot: `make` builds, `make check` runs every test, `make demo` shows the
# binder on a built-in example, `make install DESTDIR=... PREFIX=/usr` installs.

# The one version number: both programs (build/gen/version.h), the man pages
# and debian/changelog (checked by tests/package) take it from here.
VERSION = 0.1.0

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
LIBDIR_DRACUT ?= $(PREFIX)/lib/dracut/modules.d
MODPROBEDIR ?= $(PREFIX)/lib/modprobe.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions

CC ?= cc
MUSLCC ?= musl-gcc
STD = -std=c11 -D_GNU_SOURCE
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
       -Wvla -Wwrite-strings -Wundef -fno-common
# CPPFLAGS, CFLAGS and LDFLAGS reach both programs (dpkg-buildflags' hardening:
# _FORTIFY_SOURCE, -fstack-protector-strong, -z relro -z now).
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

# The boot binder: static, small, no shared libraries. The user's flags come
# first, then -Os (BIND_OPT) so that it stays small whatever CFLAGS says.
# BIND_PIE=yes links it static-pie (ASLR, relro/now for its own relocations):
# musl-gcc's specs know only plain -static, so the link names musl's
# self-relocating start file rcrt1.o itself (and asks for the build ID that
# gcc's own specs would add, for debug symbol packages). musl has no _FORTIFY_SOURCE: that
# flag changes nothing in the binder. BIND_STRIP= leaves stripping to the
# packager (dh_strip).
BIND_OPT ?= -Os
BIND_PIE ?= yes
BIND_STRIP ?= -s
# Where musl-gcc takes its start files from (its specs name them).
MUSL_LIBDIR ?= $(shell $(MUSLCC) -\#\#\# -x c /dev/null -o /dev/null 2>&1 | grep -o '[^ "]*/Scrt1\.o' | sed 's,/Scrt1\.o$$,,;q')
BIND_CFLAGS = $(STD) $(WARN) -I$(B)/gen -Isrc/shared -Isrc/bind $(CPPFLAGS) $(CFLAGS) $(BIND_OPT) \
	      -ffunction-sections -fdata-sections
ifeq ($(BIND_PIE),yes)
BIND_LINK = -fPIE -static -nostartfiles -Wl,-pie,--no-dynamic-linker,-z,text \
	    $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o $(shell $(MUSLCC) -print-file-name=crtbeginS.o)
BIND_LINK_END = $(shell $(MUSLCC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o
else
BIND_LINK = -static
BIND_LINK_END =
endif
$(B)/vfio-boot-bind: $(addprefix src/shared/,$(addsuffix .c,$(SHARED))) \
		     $(addprefix src/bind/,$(addsuffix .c,$(BIND))) $(SHARED_HDR) $(BIND_HDR) \
		     $(B)/gen/version.h | $(B)
	@[ "$(BIND_PIE)" != yes ] || [ -e "$(MUSL_LIBDIR)/rcrt1.o" ] || \
		{ echo "no rcrt1.o in musl's library directory '$(MUSL_LIBDIR)': make BIND_PIE=no" >&2; exit 1; }
	$(MUSLCC) $(BIND_CFLAGS) $(BIND_LINK) $(LDFLAGS) -Wl,--gc-sections,--build-id $(BIND_STRIP) \
		-o $@ $(filter %.c,$^) $(BIND_LINK_END)

# version.h, rewritten only when VERSION changes (so that nothing else rebuilds).
$(B)/gen/version.h: FORCE | $(B)/gen
	@printf '/* Generated from the Makefile'"'"'s VERSION. */\n#pragma once\n#define VB_VERSION "%s"\n' \
		'$(VERSION)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# The man pages with the version filled in.
MAN_PAGES = $(patsubst man/%,$(B)/man/%,$(wildcard man/*.8))
$(B)/man/%.8: man/%.8 Makefile | $(B)/man
	sed 's/@VERSION@/$(VERSION)/g' $< >$@

# The configurator: dynamic, with libkmod and libpci.
CONF_INC = -I$(B)/gen -Isrc/shared -Isrc/configure
$(B)/host/shared/%.o: src/shared/%.c $(SHARED_HDR) | $(B)/host/shared
	$(CC) $(STD) $(WARN) -Isrc/shared $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/host/configure/%.o: src/configure/%.c $(SHARED_HDR) $(CONF_HDR) $(B)/gen/version.h | $(B)/host/configure
	$(CC) $(STD) $(WARN) $(CONF_INC) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/vfio-boot: $(addprefix $(B)/host/shared/,$(addsuffix .o,$(SHARED))) \
		$(addprefix $(B)/host/configure/,$(addsuffix .o,$(CONF)))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Everything but the two main()s built again for unit tests under ASan/UBSan,
# warnings as errors.
ASAN_CC = $(CC) $(STD) $(WARN) -Werror -g -O1 $(SANITIZE)
ALL_INC = -I$(B)/gen -Isrc/shared -Isrc/bind -Isrc/configure
$(B)/asan/shared/%.o: src/shared/%.c $(SHARED_HDR) | $(B)/asan/shared
	$(ASAN_CC) -Isrc/shared -c -o $@ $<
$(B)/asan/bind/%.o: src/bind/%.c $(SHARED_HDR) $(BIND_HDR) $(B)/gen/version.h | $(B)/asan/bind
	$(ASAN_CC) -I$(B)/gen -Isrc/shared -Isrc/bind -c -o $@ $<
$(B)/asan/configure/%.o: src/configure/%.c $(SHARED_HDR) $(CONF_HDR) $(B)/gen/version.h | $(B)/asan/configure
	$(ASAN_CC) $(CONF_INC) $(PKG_CFLAGS) -c -o $@ $<
ASAN_OBJS = $(addprefix $(B)/asan/shared/,$(addsuffix .o,$(SHARED))) \
	    $(addprefix $(B)/asan/bind/,$(addsuffix .o,$(filter-out main,$(BIND)))) \
	    $(addprefix $(B)/asan/configure/,$(addsuffix .o,$(filter-out main,$(CONF))))
UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/asan/%,$(wildcard tests/unit/test-*.c))
$(B)/asan/test-%: tests/unit/test-%.c tests/unit/unit.h $(ASAN_OBJS) | $(B)/asan
	$(ASAN_CC) $(ALL_INC) -o $@ $< $(ASAN_OBJS) $(PKG_LIBS)

$(B) $(B)/asan $(B)/asan/shared $(B)/asan/bind $(B)/asan/configure $(B)/host/shared $(B)/host/configure \
$(B)/gen $(B)/man:
	mkdir -p $@

all: $(B)/vfio-boot-bind $(B)/vfio-boot $(MAN_PAGES)

SHELL_FILES = $(shell grep -rlE '^\#!.*(/sh|bash)' initramfs-hooks dracut-module tests bench tools .ci debian 2>/dev/null) \
	      completion/vfio-boot

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

static-check: $(B)/vfio-boot-bind
	tests/static-check.sh $(B)/vfio-boot-bind

lint: deps-check
	shellcheck $(SHELL_FILES)

boot-tests: deps-check $(B)/vfio-boot-bind
	tests/boot/run.sh

completion-tests: deps-check
	tests/completion/run.sh

# The system tests share one debootstrapped Debian 12 tree (tests/tree/debootstrap.sh
# makes it on first use, and again when it is a week old); each works on a copy.
export VFIO_BOOT_TREE ?= $(CURDIR)/$(B)/tree-bookworm

chroot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/chroot/run.sh $(B)/vfio-boot

# The Debian package, built by dpkg-buildpackage from a clean copy of the tree.
deb: deps-check
	tests/package/build.sh $(B)/deb

package-tests: deps-check deb
	tests/package/run.sh $(B)/deb

ansible-tests: deps-check deb
	tests/ansible/run.sh $(B)/deb

check: deps-check unit static-check bind-tests configure-tests completion-tests lint boot-tests \
       chroot-tests package-tests ansible-tests
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
fuzz: $(B)/fuzz-config
	mkdir -p $(B)/fuzz-corpus && cp tests/fuzz/corpus/* $(B)/fuzz-corpus/
	$(B)/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=2048 $(B)/fuzz-corpus

demo: deps-build $(B)/vfio-boot-bind $(B)/vfio-boot
	tools/demo.sh $(B)/vfio-boot-bind

install: $(B)/vfio-boot-bind $(B)/vfio-boot $(MAN_PAGES)
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
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/man/man8 $(MAN_PAGES)
	install -D -m 0644 completion/vfio-boot $(DESTDIR)$(BASHCOMPDIR)/vfio-boot
	ln -sf vfio-boot $(DESTDIR)$(BASHCOMPDIR)/vfio-boot-bind

clean:
	rm -rf $(B)

version:
	@echo $(VERSION)

# Keep the objects between runs: make would delete them as intermediates.
.SECONDARY:

FORCE:

.PHONY: FORCE version deb completion-tests package-tests ansible-tests all bench fuzz deps-bench deps-build deps-check unit bind-tests configure-tests chroot-tests static-check lint boot-tests check demo install clean
.DEFAULT_GOAL := all
