# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-boot: `make` builds, `make check` runs every test, `make demo` shows the
# binder on a built-in example, `make install DESTDIR=... PREFIX=/usr` installs.

# The one version number: both programs (build/gen/version.h), the man pages,
# debian/changelog (checked by tests/package) and the Ansible collection's
# galaxy.yml (checked by tests/ansible) take it from here.
VERSION = 0.1.0

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# Each initramfs generator reads its hooks from one place, whatever PREFIX is.
ITOOLSDIR ?= /usr/share/initramfs-tools
DRACUTMODDIR ?= $(or $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null),/usr/lib/dracut/modules.d)
INITCPIODIR ?= /usr/lib/initcpio
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev reads its rules from one place, whatever PREFIX is.
UDEVRULESDIR ?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d

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
# configurator in rooms by concern (cmd, txn, boot, initramfs, host,
# selection, modprobe). Each program sees only its own headers and the shared
# ones; a room's headers are found by name (-I per room).
SHARED_SRC = $(wildcard src/shared/*.c)
BIND_SRC = $(wildcard src/bind/*.c)
CONF_DIRS = $(sort $(dir $(wildcard src/configure/*/*.c)))
CONF_SRC = $(wildcard src/configure/*/*.c)
SHARED_HDR = $(wildcard src/shared/*.h)
BIND_HDR = $(wildcard src/bind/*.h)
CONF_HDR = $(wildcard src/configure/*/*.h)
PKG_CFLAGS = $(shell pkg-config --cflags libkmod libpci 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs libkmod libpci 2>/dev/null || echo -lkmod -lpci)

# Quiet by default: one line per file; V=1 prints every command in full.
ifeq ($(V),1)
Q =
say =
else
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# The boot binder: static, small, no shared libraries. The user's flags come
# first, then -Oz (-Os where the compiler lacks it: gcc before 12) as BIND_OPT, so
# that it stays small whatever CFLAGS says.
# BIND_PIE=yes links it static-pie (ASLR, relro/now for its own relocations):
# musl-gcc's specs know only plain -static, so the link names musl's
# self-relocating start file rcrt1.o itself (and asks for the build ID that
# gcc's own specs would add, for debug symbol packages). musl has no
# _FORTIFY_SOURCE: that flag changes nothing in the binder. BIND_STRIP= leaves
# stripping to the packager (dh_strip). BIND_LAYOUT: read-only data shares
# the code's pages instead of page-aligned segments of its own (ld's
# separate-code): 4 KB less, which keeps the hardened static-pie binder under
# the 96 KiB target (bench/hardening-results.md has both). No unwind
# tables: C without exceptions needs none at run time (6 KB of .eh_frame);
# debuggers read -g's .debug_frame from the debug symbols instead.
BIND_OPT ?= $(shell $(MUSLCC) -Oz -fsyntax-only -x c /dev/null 2>/dev/null && echo -Oz || echo -Os)
BIND_PIE ?= yes
BIND_STRIP ?= -s
BIND_LAYOUT ?= -Wl,-z,noseparate-code
# Where musl-gcc takes its start files from (its specs name them).
MUSL_LIBDIR ?= $(shell $(MUSLCC) -\#\#\# -x c /dev/null -o /dev/null 2>&1 | grep -o '[^ "]*/Scrt1\.o' | sed 's,/Scrt1\.o$$,,;q')
BIND_CFLAGS = $(STD) $(WARN) -I$(B)/gen -Isrc/shared -Isrc/bind $(CPPFLAGS) $(CFLAGS) $(BIND_OPT) \
	      -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
ifeq ($(BIND_PIE),yes)
BIND_LINK = -fPIE -static -nostartfiles -Wl,-pie,--no-dynamic-linker,-z,text \
	    $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o $(shell $(MUSLCC) -print-file-name=crtbeginS.o)
BIND_LINK_END = $(shell $(MUSLCC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o
else
BIND_LINK = -static
BIND_LINK_END =
endif
$(B)/vfio-boot-bind: $(SHARED_SRC) $(BIND_SRC) $(SHARED_HDR) $(BIND_HDR) $(B)/gen/version.h | $(B)
	@[ "$(BIND_PIE)" != yes ] || [ -e "$(MUSL_LIBDIR)/rcrt1.o" ] || \
		{ echo "no rcrt1.o in musl's library directory '$(MUSL_LIBDIR)': make BIND_PIE=no" >&2; exit 1; }
	$(call say,MUSLCC,$@)$(MUSLCC) $(BIND_CFLAGS) $(BIND_LINK) $(LDFLAGS) $(BIND_LAYOUT) \
		-Wl,--gc-sections,--build-id $(BIND_STRIP) \
		-o $@ $(filter %.c,$^) $(BIND_LINK_END)

# version.h, rewritten only when VERSION changes (so that nothing else rebuilds).
$(B)/gen/version.h: FORCE | $(B)/gen
	@printf '/* Generated from the Makefile'"'"'s VERSION. */\n#pragma once\n#define VB_VERSION "%s"\n' \
		'$(VERSION)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# modprobe.d/: the text configure writes to /etc/modprobe.d, kept as files a
# reviewer reads, embedded as strings (VB_TEXT_NAME) by the one file that uses them.
MODPROBE_TEXT = $(sort $(wildcard modprobe.d/*.conf.in))
$(B)/gen/modprobe_d.h: $(MODPROBE_TEXT) tools/embed-text.sh | $(B)/gen
	$(call say,GEN,$@)tools/embed-text.sh $(MODPROBE_TEXT) >$@.tmp && mv $@.tmp $@
$(foreach d,host asan fuzz,$(B)/$(d)/configure/modprobe/modprobe_text.o): $(B)/gen/modprobe_d.h

# The man pages with the version filled in.
MAN_PAGES = $(patsubst man/%,$(B)/man/%,$(wildcard man/*.[0-9]))
$(B)/man/%: man/% Makefile | $(B)/man
	$(call say,SED,$@)sed 's/@VERSION@/$(VERSION)/g' $< >$@

# The configurator: dynamic, with libkmod and libpci. Objects mirror src/.
CONF_INC = -I$(B)/gen -Isrc/shared $(patsubst %/,-I%,$(CONF_DIRS))
$(B)/host/shared/%.o: src/shared/%.c $(SHARED_HDR)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(STD) $(WARN) -Isrc/shared $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/host/configure/%.o: src/configure/%.c $(SHARED_HDR) $(CONF_HDR) $(B)/gen/version.h
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(STD) $(WARN) $(CONF_INC) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(B)/vfio-boot: $(patsubst src/%.c,$(B)/host/%.o,$(SHARED_SRC) $(CONF_SRC))
	$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Everything but the two main()s built again for unit tests under ASan/UBSan,
# warnings as errors.
ASAN_CC = $(CC) $(STD) $(WARN) -Werror -g -O1 $(SANITIZE)
ALL_INC = $(CONF_INC) -Isrc/bind
LIB_SRC = $(filter-out %/main.c,$(SHARED_SRC) $(BIND_SRC) $(CONF_SRC))
# Each part compiles with its own headers only, so the layering holds:
# shared sees nothing above it, the binder never sees the configurator.
INC_shared = -Isrc/shared
INC_bind = -I$(B)/gen -Isrc/shared -Isrc/bind
INC_configure = $(CONF_INC) $(PKG_CFLAGS)
part = $(word 3,$(subst /, ,$(1)))
$(B)/asan/%.o: src/%.c $(SHARED_HDR) $(BIND_HDR) $(CONF_HDR) $(B)/gen/version.h
	@mkdir -p $(@D)
	$(call say,CC,$@)$(ASAN_CC) $(INC_$(call part,$@)) -c -o $@ $<
ASAN_OBJS = $(patsubst src/%.c,$(B)/asan/%.o,$(LIB_SRC))
UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/asan/%,$(wildcard tests/unit/test-*.c))
$(B)/asan/test-%: tests/unit/test-%.c tests/unit/unit.h $(ASAN_OBJS)
	$(call say,LD,$@)$(ASAN_CC) $(ALL_INC) -o $@ $< $(ASAN_OBJS) $(PKG_LIBS)

$(B) $(B)/gen $(B)/man:
	mkdir -p $@

all: $(B)/vfio-boot-bind $(B)/vfio-boot $(MAN_PAGES)

deps-build:
	@tools/deps.sh build
deps-check:
	@tools/deps.sh check

# T=PATTERN runs only the cases it names: shell patterns separated by |,
# each matched against a whole case name (tests/README.md). The suites read
# it as TEST_ONLY ($T is a case's directory inside them) and add how many
# cases each ran to TEST_TALLY: the last goal fails when that is none.
unexport T
ifneq ($(T),)
export TEST_ONLY := $(T)
export TEST_TALLY := $(abspath $(B))/test-tally
ifeq ($(MAKELEVEL),0)
$(shell mkdir -p $(B) && : >$(B)/test-tally)
endif
endif
tally = @[ -z "$$TEST_ONLY" ] || [ $(MAKELEVEL) != 0 ] || [ "$@" != "$(lastword $(MAKECMDGOALS))" ] || \
	awk '{ n += $$2 } END { exit n == 0 }' "$$TEST_TALLY" || \
	{ echo "T='$$TEST_ONLY' names no case of $(MAKECMDGOALS)" >&2; exit 1; }

# The fast suites work in memory (/dev/shm) unless TMPDIR names a place:
# their many small files, copies and fsyncs cost twice the time on a disk.
ENV_TMPDIR := $(TMPDIR)
FAST_TMPDIR = $(or $(ENV_TMPDIR),$(shell [ -d /dev/shm ] && [ -w /dev/shm ] && \
	! findmnt -no OPTIONS /dev/shm 2>/dev/null | grep -qw noexec && echo /dev/shm))
# configure-tests' four scripts (below).
CONFIGURE_SUITES = configure-faults configure-run configure-confine configure-race
unit bind-tests configure-tests $(CONFIGURE_SUITES) configure-install static-check completion-tests: \
	export TMPDIR = $(FAST_TMPDIR)
# Cases some suites run side by side (tests/lib-check.sh's in_parallel).
export TEST_JOBS ?= 2

unit: deps-check $(UNIT_TESTS)
	tests/unit/run.sh $(UNIT_TESTS)
	$(tally)

bind-tests: deps-check $(B)/vfio-boot-bind
	tests/bind/run.sh $(B)/vfio-boot-bind
	$(tally)

# Its four scripts, each a target that check-fast runs beside the others.
# Their trees get vfio-boot as `make install` puts it, staged here once
# (TEST_INSTALLED); run.sh's own make install cases are a make of their own
# (MAKEFLAGS= leaves out a parent's jobserver).
configure-tests: $(CONFIGURE_SUITES)
	$(tally)
configure-install: deps-check $(B)/vfio-boot $(B)/vfio-boot-bind
	@rm -rf $(B)/test-install
	@MAKEFLAGS= $(MAKE) -s --no-print-directory install DESTDIR=$(abspath $(B))/test-install >/dev/null
$(CONFIGURE_SUITES): export TEST_INSTALLED = $(abspath $(B))/test-install
configure-run: configure-install
	MAKEFLAGS= tests/configure/run.sh $(B)/vfio-boot $(B)/vfio-boot-bind
	$(tally)
configure-confine: configure-install
	tests/configure/confine.sh $(B)/vfio-boot
	$(tally)
configure-race: configure-install
	tests/configure/race.sh $(B)/vfio-boot
	$(tally)
configure-faults: configure-install
	tests/configure/faults.sh $(B)/vfio-boot
	$(tally)

static-check: $(B)/vfio-boot-bind
	tests/static-check.sh $(B)/vfio-boot-bind
	$(tally)

# Every shell file of the repository (tests/lint.sh finds them in git ls-files).
lint: deps-check
	tests/lint.sh
	$(tally)

boot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/boot/run.sh
	$(tally)

completion-tests: deps-check
	tests/completion/run.sh
	$(tally)

# The system tests share one debootstrapped Debian 12 tree (tests/tree/debootstrap.sh
# makes it on first use, and again when it is a week old); each works on a copy.
export VFIO_BOOT_TREE ?= $(CURDIR)/$(B)/tree-bookworm

chroot-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/chroot/run.sh $(B)/vfio-boot
	$(tally)

system-tests: deps-check $(B)/vfio-boot-bind $(B)/vfio-boot
	tests/system/run.sh
	$(tally)

# The Debian package, built by dpkg-buildpackage from a clean copy of the tree.
deb: deps-check
	tests/package/build.sh $(B)/deb

package-tests: deps-check deb
	tests/package/run.sh $(B)/deb
	$(tally)

ansible-tests: deps-check deb
	tests/ansible/run.sh $(B)/deb
	$(tally)

check: check-fast fuzz-check boot-tests chroot-tests system-tests package-tests ansible-tests
	$(tally)
	@echo "make check: all suites passed"

# Benchmarks, not tests: tables in bench/*.md (see bench/README.md).
bench: deps-bench $(B)/vfio-boot-bind $(B)/vfio-boot
	bench/run.sh
	bench/configurator.sh
	bench/boot.sh

deps-bench:
	@tools/deps.sh bench

# libFuzzer on every parser of untrusted text: one target per
# tests/fuzz/fuzz-NAME.c, each linked with every object but the two main()s,
# its seed corpus in tests/fuzz/corpus/NAME.
# `make fuzz` runs each for FUZZ_SECONDS; `make check` for FUZZ_CHECK_SECONDS;
# `make check-fast` for FUZZ_FAST_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 10
FUZZ_FAST_SECONDS ?= 2
FUZZ_CC = clang $(STD) $(WARN) -Werror -g -O1 -fno-sanitize-recover=all
FUZZ_SAN = address,undefined
$(B)/fuzz/%.o: src/%.c $(SHARED_HDR) $(BIND_HDR) $(CONF_HDR) $(B)/gen/version.h
	@mkdir -p $(@D)
	$(call say,CLANG,$@)$(FUZZ_CC) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) $(INC_$(call part,$@)) -c -o $@ $<
FUZZ_OBJS = $(patsubst src/%.c,$(B)/fuzz/%.o,$(LIB_SRC))
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,$(B)/%,$(wildcard tests/fuzz/fuzz-*.c))
$(B)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJS)
	$(call say,CLANG,$@)$(FUZZ_CC) -fsanitize=fuzzer,$(FUZZ_SAN) $(ALL_INC) -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

fuzz: $(FUZZ_TARGETS)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-check: deps-check $(FUZZ_TARGETS)
	tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS)
	$(tally)
fuzz-fast: deps-check $(FUZZ_TARGETS)
	tests/fuzz/run.sh $(FUZZ_FAST_SECONDS) $(FUZZ_TARGETS)
	$(tally)

# The fast tier, for the edit-test loop: everything that needs neither QEMU
# nor a Debian tree, fuzzing FUZZ_FAST_SECONDS per target; TEST_JOBS suites
# at once, each one's output printed when it ends. `make check` runs it, then
# the full fuzz run and the slow suites (tests/README.md). The longest start
# first, so that no long one is left alone at the end; configure-tests' four
# scripts are four of them. (Here, below the fuzz targets: a rule's
# prerequisites are expanded where it is.)
FAST_SUITES = configure-faults configure-run lint bind-tests fuzz-fast configure-race \
	configure-confine unit completion-tests static-check
check-fast: deps-check all $(UNIT_TESTS) $(FUZZ_TARGETS)
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(FAST_SUITES)
	$(tally)
	@echo "make check-fast: all suites passed"

demo: deps-build $(B)/vfio-boot-bind $(B)/vfio-boot
	tools/demo.sh $(B)/vfio-boot-bind

# What install puts where: uninstall removes exactly these. The hooks that
# copy the binder into an image get its installed path (@SBINDIR@).
INSTALLED = $(SBINDIR)/vfio-boot-bind $(SBINDIR)/vfio-boot \
	$(ITOOLSDIR)/hooks/vfio-boot $(ITOOLSDIR)/scripts/init-top/00vfio-boot \
	$(DRACUTMODDIR)/50vfio-boot/module-setup.sh $(DRACUTMODDIR)/50vfio-boot/vfio-boot-pre-udev.sh \
	$(INITCPIODIR)/install/vfio-boot $(INITCPIODIR)/hooks/vfio-boot \
	$(MANDIR)/man8/vfio-boot.8 $(MANDIR)/man8/vfio-boot-bind.8 $(MANDIR)/man5/vfio-boot.conf.5 \
	$(UDEVRULESDIR)/69-vfio-boot.rules $(UDEVRULESDIR)/81-vfio-boot-vfs.rules \
	$(BASHCOMPDIR)/vfio-boot $(BASHCOMPDIR)/vfio-boot-bind
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g'

install: $(B)/vfio-boot-bind $(B)/vfio-boot $(MAN_PAGES)
	install -D -m 0755 $(B)/vfio-boot-bind $(DESTDIR)$(SBINDIR)/vfio-boot-bind
	install -D -m 0755 $(B)/vfio-boot $(DESTDIR)$(SBINDIR)/vfio-boot
	install -d $(DESTDIR)$(ITOOLSDIR)/hooks $(DESTDIR)$(ITOOLSDIR)/scripts/init-top \
		$(DESTDIR)$(DRACUTMODDIR)/50vfio-boot $(DESTDIR)$(INITCPIODIR)/install \
		$(DESTDIR)$(INITCPIODIR)/hooks $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR)
	$(SUBST) initramfs-hooks/hooks/vfio-boot >$(DESTDIR)$(ITOOLSDIR)/hooks/vfio-boot
	install -m 0755 initramfs-hooks/scripts/init-top/00vfio-boot $(DESTDIR)$(ITOOLSDIR)/scripts/init-top/
	$(SUBST) dracut-module/50vfio-boot/module-setup.sh >$(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/module-setup.sh
	install -m 0755 dracut-module/50vfio-boot/vfio-boot-pre-udev.sh $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/
	$(SUBST) mkinitcpio/install/vfio-boot >$(DESTDIR)$(INITCPIODIR)/install/vfio-boot
	install -m 0644 mkinitcpio/hooks/vfio-boot $(DESTDIR)$(INITCPIODIR)/hooks/
	chmod 0755 $(DESTDIR)$(ITOOLSDIR)/hooks/vfio-boot $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot/module-setup.sh
	chmod 0644 $(DESTDIR)$(INITCPIODIR)/install/vfio-boot
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/vfio-boot $(DESTDIR)$(BASHCOMPDIR)/vfio-boot
	ln -sf vfio-boot $(DESTDIR)$(BASHCOMPDIR)/vfio-boot-bind
	install -d $(DESTDIR)$(UDEVRULESDIR)
	$(SUBST) udev/69-vfio-boot.rules >$(DESTDIR)$(UDEVRULESDIR)/69-vfio-boot.rules
	$(SUBST) udev/81-vfio-boot-vfs.rules >$(DESTDIR)$(UDEVRULESDIR)/81-vfio-boot-vfs.rules

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DRACUTMODDIR)/50vfio-boot 2>/dev/null || true

clean:
	rm -rf $(B)

version:
	@echo $(VERSION)

# Keep the objects between runs: make would delete them as intermediates.
.SECONDARY:

FORCE:

.PHONY: FORCE version deb completion-tests package-tests ansible-tests all bench fuzz fuzz-check fuzz-fast check-fast deps-bench deps-build deps-check unit bind-tests configure-tests chroot-tests static-check lint boot-tests system-tests check demo install uninstall clean \
	configure-install $(CONFIGURE_SUITES)
.DEFAULT_GOAL := all
