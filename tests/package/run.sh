#!/bin/bash
# The Debian package as an operator meets it. On the .deb that
# tests/package/build.sh made with dpkg-buildpackage:
#   - lintian: no error, no warning; every override says why;
#   - one version: the .deb's, both programs' --version and the man pages'
#     are the Makefile's VERSION;
#   - the hardening flags reached both programs (static-pie binder with
#     relro/now and the stack protector; PIE configurator with fortified calls);
# then, in a copy of the debootstrapped Debian 12 tree (tests/tree), with dpkg
# in a chroot:
#   - install (apt-get install ./the.deb): the update-initramfs trigger
#     rebuilds the image with the binder;
#   - `vfio-boot --json configure` by the packaged configurator;
#   - upgrade (the same package as version VERSION+test1): rebuilt again;
#   - boot the tree's kernel and image in QEMU (tests/boot's rig): the card
#     on vfio-pci before udev;
#   - remove: the image is rebuilt without the binder, the message says how to
#     unconfigure, the configuration stays; boot again: the host still boots,
#     the card on its native drivers;
#   - purge, then what the message says: reinstall, `vfio-boot unconfigure`:
#     every entry under etc/ is back as before configure;
#   - dpkg's states: with initramfs-tools unpacked, half-configured or
#     half-installed (its files there, dracut-core's dracut too), postrm and
#     postinst leave the rebuild to it (no dracut), and configuring it
#     rebuilds the image with the binder.
# And in a copy with dracut-core alone (initramfs-tools purged; no package
# listens to the trigger there): install and removal rebuild with dracut;
# a dracut that fails gets one outcome in postrm and postinst: dpkg exits 0,
# the package reaches its state, the image is as it was, and stderr says so
# with the command to run (which then works).
# postinst and postrm carry one copy each of the rule: the marked part is
# the same in both.
#
# Usage: tests/package/run.sh [DEBDIR]   (as root; default build/deb)
# Exit:  0 all passed, 1 a failure, 77 QEMU cannot run here or the tree
#        cannot be made.
# Env:   VFIO_BOOT_TREE   the pristine tree (tests/tree/debootstrap.sh makes
#                         it there unless it is ready; default: one in the
#                         work directory)
#        BOOT_TIMEOUT     seconds per boot (default 180); KEEP=1 keeps the
#                         work directory
# Nothing outside one mktemp -d directory under /var/tmp is written, except
# VFIO_BOOT_TREE when given.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
debdir=$(cd "${1:-$repo/build/deb}" 2>/dev/null && pwd) || {
	echo "package: no ${1:-$repo/build/deb} (tests/package/build.sh DIR)" >&2
	exit 1
}

# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed when linted with it
. "$repo/tests/boot/lib-rig.sh"
report='' wall='' # set by rig_boot
# shellcheck disable=SC2034 # read by tests/lib-check.sh
suite=package
# shellcheck source=tests/lib-check.sh disable=SC1091 # followed when linted with it
. "$repo/tests/lib-check.sh"
# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$repo/tests/tree/lib-tree.sh"
t_all=$(date +%s.%N)

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || fatal "must run as root (dpkg in a chroot needs it)"
why=$(rig_qemu_unusable)
[ -z "$why" ] || skip "$why"
for tool in lintian dpkg-deb readelf objdump lsinitramfs lsinitrd jq make; do
	command -v "$tool" >/dev/null 2>&1 || fatal "$tool not found (tools/deps.sh check)"
done
arch=$(dpkg --print-architecture)
version=$(make -s -C "$repo" --no-print-directory version)
deb=$debdir/vfio-boot_${version}_$arch.deb
changes=$debdir/vfio-boot_${version}_$arch.changes
{ [ -r "$deb" ] && [ -r "$changes" ]; } || fatal "no $deb or $changes (tests/package/build.sh $debdir)"

tmp=$(mktemp -d /var/tmp/vfio-boot-package.XXXXXX) || fatal "mktemp failed"
trap work_dir_remove EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------- the .deb

say "=== $deb"
t0=$(date +%s.%N)
if lintian --fail-on error,warning --display-level '>=warning' "$changes" >"$tmp/lintian.log" 2>&1; then
	ok "lintian: no error, no warning"
else
	bad "lintian: errors or warnings:"
	sed 's/^/    | /' "$tmp/lintian.log"
fi
# Each override is the line after a comment that says why.
overrides_have_reasons() {
	awk '/^#/ { reason = 1; next } /^[ \t]*$/ { reason = 0; next }
		{ if (!reason) { print FILENAME ": no reason for: " $0; bad = 1 } }
		END { exit bad }' "$repo"/debian/*.lintian-overrides
}
check "every lintian override says why" overrides_have_reasons
timing "lintian" "$(seconds_since "$t0")"

x=$tmp/deb-contents
dpkg-deb -x "$deb" "$x" || fatal "cannot unpack $deb"
dpkg-deb -e "$deb" "$tmp/deb-control" || fatal "cannot read the control files of $deb"
check ".deb version is the Makefile's VERSION ($version)" \
	[ "$(dpkg-deb -f "$deb" Version)" = "$version" ]
check "vfio-boot-bind --version says $version" \
	[ "$("$x/usr/sbin/vfio-boot-bind" --version)" = "vfio-boot-bind $version" ]
check "vfio-boot --version says $version" \
	[ "$("$x/usr/sbin/vfio-boot" --version)" = "vfio-boot $version" ]
for page in man8/vfio-boot.8 man8/vfio-boot-bind.8 man5/vfio-boot.conf.5; do
	check "man page $page says vfio-boot $version" \
		grep -q "^\\.TH .* \"vfio-boot $version\"" <(zcat "$x/usr/share/man/$page.gz")
done
# No sourced fragment in maintainer scripts: the rule is written twice.
shared_part() { sed -n '/^# ---- the same in postinst and postrm/,/^# ---- end of the part shared/p' "$1"; }
one_rule() {
	shared_part "$tmp/deb-control/postinst" >"$tmp/postinst.shared" &&
		shared_part "$tmp/deb-control/postrm" >"$tmp/postrm.shared" &&
		[ -s "$tmp/postinst.shared" ] && cmp -s "$tmp/postinst.shared" "$tmp/postrm.shared"
}
check "postinst and postrm: the shared part (generator, failure rule) is the same" one_rule
check "the package activates the update-initramfs trigger" \
	grep -qx 'activate-noawait update-initramfs' "$tmp/deb-control/triggers"
for f in usr/share/initramfs-tools/hooks/vfio-boot usr/share/initramfs-tools/scripts/init-top/00vfio-boot \
	usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh usr/lib/initcpio/install/vfio-boot \
	usr/share/bash-completion/completions/vfio-boot usr/share/doc/vfio-boot/copyright; do
	check "the package ships /$f" [ -e "$x/$f" ]
done

# Hardening, read off the binaries.
elf_type() { readelf -h "$1" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p'; }
# grep >/dev/null, not grep -q: an early exit would make the producer die
# of SIGPIPE and, with pipefail, the pipeline fail.
has_bind_now() { readelf -d "$1" | grep 'FLAGS.*NOW' >/dev/null; }
has_relro() { readelf -l "$1" | grep GNU_RELRO >/dev/null; }
no_interp_no_needed() { ! readelf -l "$1" | grep INTERP >/dev/null && ! readelf -d "$1" | grep NEEDED >/dev/null; }
# -fstack-protector reads the canary at %fs:0x28 (glibc's and musl's TCB).
has_canary() { objdump -d "$1" | grep '%fs:0x28' >/dev/null; }
static_pie() { [ "$(elf_type "$1")" = DYN ] && no_interp_no_needed "$1"; }
relro_now() { has_relro "$1" && has_bind_now "$1"; }
imports() { readelf --dyn-syms -W "$1" | grep -E " $2(@|\$)" >/dev/null; } # ELF SYMBOL-REGEX
bind=$x/usr/sbin/vfio-boot-bind conf=$x/usr/sbin/vfio-boot
check "vfio-boot-bind is static-pie (ET_DYN, no interpreter, no NEEDED)" static_pie "$bind"
check "vfio-boot-bind: relro and bind-now" relro_now "$bind"
check "vfio-boot-bind: stack protector" has_canary "$bind"
check "vfio-boot is PIE" [ "$(elf_type "$conf")" = DYN ]
check "vfio-boot: relro and bind-now" relro_now "$conf"
check "vfio-boot: stack protector (__stack_chk_fail)" imports "$conf" __stack_chk_fail
check "vfio-boot: fortified calls (__*_chk, _FORTIFY_SOURCE)" imports "$conf" '__[a-z]+_chk'

# ---------------------------------------------------------------- the tree

t0=$(date +%s.%N)
tree=$tmp/itools
tree_copy "$tree"
kver=$(find "$tree/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//')
vmlinuz=$tree/boot/vmlinuz-$kver img=$tree/boot/initrd.img-$kver
# MODULES=list, as the boot tests build their images: the rig needs no root
# disk, and a rebuild takes seconds instead of 35 (MODULES=most).
sed -i 's/^MODULES=.*/MODULES=list/' "$tree/etc/initramfs-tools/initramfs.conf"
rig_write_grub_standin "$tree"
rig_write_report "$tree/usr/local/sbin/vfio-boot-test-report"
rig_write_itools_test "$tree/etc/initramfs-tools" /usr/local/sbin/vfio-boot-test-report
cp "$deb" "$tree/var/tmp/" || fatal "cannot copy $deb into the tree"
timing "the tree (copy and test files)" "$(seconds_since "$t0")"

in_tree() { chroot "$tree" "$@"; }
not_grep() { ! grep -q "$1" "$2"; } # TEXT FILE
# jq's verdict without its output (a redirection after `check` would hide
# check's own line too).
jq_true() { jq -e "$@" >/dev/null; } # JQ-ARGS...
listing() { lsinitramfs "$img" >"$tmp/image.list" 2>&1; }
in_image() { grep -Eq "^$1\$" "$tmp/image.list"; }
not_in_image() { ! in_image "$1"; }
rebuilt_by_trigger() { # LOG
	grep -q "^Processing triggers for initramfs-tools" "$1" &&
		grep -q "^update-initramfs: Generating /boot/initrd.img-$kver" "$1"
}
snapshot_etc() { tree_snapshot_etc "$tree"; }
dpkg_in_tree() { # LOG DPKG-ARGS...
	local log=$1
	shift
	say "  # dpkg $*"
	in_tree dpkg "$@" >"$log" 2>&1
}

say "=== install, as the README says: apt install ./vfio-boot_*.deb"
t0=$(date +%s.%N)
say "  # apt-get install -y /var/tmp/${deb##*/}"
in_tree env DEBIAN_FRONTEND=noninteractive apt-get install -y "/var/tmp/${deb##*/}" >"$tmp/install.log" 2>&1
check "apt-get install exits 0" [ $? -eq 0 ]
# shellcheck disable=SC2016 # a dpkg-query format
check "installed" [ "$(in_tree dpkg-query -W -f '${db:Status-Status}' vfio-boot)" = installed ]
check "the trigger rebuilt the image" rebuilt_by_trigger "$tmp/install.log"
# dracut-core is installed too, but initramfs-tools is the generator here.
check "postinst left the rebuild to the trigger (no dracut)" \
	not_grep "rebuilding the initramfs with dracut" "$tmp/install.log"
listing
check "image has usr/sbin/vfio-boot-bind" in_image usr/sbin/vfio-boot-bind
check "image has scripts/init-top/00vfio-boot" in_image scripts/init-top/00vfio-boot
check "image has no etc/vfio-boot.conf yet" not_in_image etc/vfio-boot.conf
timing "install" "$(seconds_since "$t0")"
snapshot_etc >"$tmp/etc.before"

say "=== configure, by the packaged vfio-boot in the chroot"
sel=1234:1111@0000:01:00.0
t0=$(date +%s.%N)
say "  # vfio-boot --json configure --cpu intel $sel"
in_tree vfio-boot --json configure --cpu intel "$sel" >"$tmp/configure.json" 2>"$tmp/configure.err"
check "configure exits 0" [ $? -eq 0 ]
check "configure --json: changed, update-grub and update-initramfs ran" \
	jq_true '.changed == true and ([.commands[] | [.argv[0], .status]] ==
		[["update-grub", 0], ["update-initramfs", 0]])' "$tmp/configure.json"
check "etc/vfio-boot.conf selects $sel" grep -qx "$sel" "$tree/etc/vfio-boot.conf"
check "update-grub saw the IOMMU flags" [ "$(rig_grub_cmdline "$tree")" = "intel_iommu=on iommu=pt" ]
listing
check "image has etc/vfio-boot.conf" in_image etc/vfio-boot.conf
timing "configure" "$(seconds_since "$t0")"

say "=== upgrade to $version+test1"
t0=$(date +%s.%N)
up=$tmp/upgrade
{ dpkg-deb -R "$deb" "$up" && sed -i "s/^Version: .*/Version: $version+test1/" "$up/DEBIAN/control" &&
	dpkg-deb -b "$up" "$tree/var/tmp/upgrade.deb" >/dev/null; } || fatal "cannot make the upgrade package"
dpkg_in_tree "$tmp/upgrade.log" -i /var/tmp/upgrade.deb
check "dpkg -i (upgrade) exits 0" [ $? -eq 0 ]
check "dpkg upgraded it" grep -qF "Unpacking vfio-boot ($version+test1) over ($version)" "$tmp/upgrade.log"
check "the trigger rebuilt the image" rebuilt_by_trigger "$tmp/upgrade.log"
listing
check "the image still has the binder" in_image usr/sbin/vfio-boot-bind
check "the image still has the configuration" in_image etc/vfio-boot.conf
timing "upgrade" "$(seconds_since "$t0")"

say "--- boot the configured tree, with the flags update-grub saw"
if rig_boot configured "$vmlinuz" "$img" "$RIG_APPEND $(rig_grub_cmdline "$tree")"; then
	ok "boot reached the report"
	for a in $PCI_CARD; do
		check "$a on vfio-pci at init-premount" has_driver "$a" vfio-pci
		check "$a driver_override vfio-pci" [ "$(override_of "$a")" = vfio-pci ]
		check "status.json $a result bound" status_is "$a" result bound
	done
	check "boot VGA $BOOT_VGA kept bochs-drm" has_driver "$BOOT_VGA" bochs-drm
else
	bad "boot reached the report"
fi
timing "boot, configured" "$wall"

say "=== remove"
t0=$(date +%s.%N)
dpkg_in_tree "$tmp/remove.log" -r vfio-boot
check "dpkg -r exits 0" [ $? -eq 0 ]
check "the trigger rebuilt the image" rebuilt_by_trigger "$tmp/remove.log"
check "postrm left the rebuild to the trigger (no dracut)" \
	not_grep "rebuilding the initramfs with dracut" "$tmp/remove.log"
# shellcheck disable=SC2016 # the backquotes are in the message
says_how_to_undo() {
	grep -q "that setup stays" "$1" &&
		grep -qF 'reinstall vfio-boot and run `vfio-boot unconfigure`' "$1"
}
check "removal says the setup stays and how to unconfigure" says_how_to_undo "$tmp/remove.log"
sed -n '/^vfio-boot:/,/^  To undo/p' "$tmp/remove.log" | sed 's/^/    | /'
listing
check "image has no usr/sbin/vfio-boot-bind" not_in_image usr/sbin/vfio-boot-bind
check "image has no scripts/init-top/00vfio-boot" not_in_image scripts/init-top/00vfio-boot
check "etc/vfio-boot.conf stays" [ -e "$tree/etc/vfio-boot.conf" ]
check "var/lib/vfio-boot (the originals) stays" [ -d "$tree/var/lib/vfio-boot" ]
timing "remove" "$(seconds_since "$t0")"

say "--- boot after the removal: still boots, nothing binds the card early"
if rig_boot removed "$vmlinuz" "$img" "$RIG_APPEND $(rig_grub_cmdline "$tree")"; then
	ok "boot reached the report"
	check "no vfio-boot status.json" grep -qx nostatus "$report"
	check "$PT_VGA on its native driver bochs-drm" has_driver "$PT_VGA" bochs-drm
	check "$PT_VGA has no driver_override" [ "$(override_of "$PT_VGA")" = "(null)" ]
else
	bad "boot reached the report"
fi
timing "boot, removed" "$wall"

say "=== purge, then undo the setup as the removal message says"
t0=$(date +%s.%N)
dpkg_in_tree "$tmp/purge.log" --purge vfio-boot
check "dpkg --purge exits 0" [ $? -eq 0 ]
check "purge says it keeps var/lib/vfio-boot" grep -q "kept /var/lib/vfio-boot" "$tmp/purge.log"
check "var/lib/vfio-boot stays" [ -d "$tree/var/lib/vfio-boot" ]
dpkg_in_tree "$tmp/reinstall.log" -i "/var/tmp/${deb##*/}"
check "reinstall exits 0" [ $? -eq 0 ]
say "  # vfio-boot unconfigure"
in_tree vfio-boot unconfigure >"$tmp/unconfigure.log" 2>&1
check "unconfigure exits 0" [ $? -eq 0 ]
snapshot_etc >"$tmp/etc.after"
if diff -u "$tmp/etc.before" "$tmp/etc.after" >"$tmp/etc.diff"; then
	ok "etc/ is byte for byte as before configure"
else
	bad "etc/ differs from before configure:"
	sed 's/^/    /' "$tmp/etc.diff" | head -30
fi
listing
check "the rebuilt image has no etc/vfio-boot.conf" not_in_image etc/vfio-boot.conf
check "the rebuilt image has the binder again" in_image usr/sbin/vfio-boot-bind
timing "purge, reinstall, unconfigure" "$(seconds_since "$t0")"

say "=== dpkg's states: initramfs-tools there, not configured, is the generator"
t0=$(date +%s.%N)
# dpkg leaves these states after an interrupted or failed run (--unpack,
# a failed postinst, an unpack cut short); written here as dpkg writes them.
set_status() { # PACKAGE "WANT FLAG STATUS"
	local db=$tree/var/lib/dpkg/status
	awk -v pkg="$1" -v st="$2" '/^Package: / { cur = $2 } /^$/ { cur = "" }
		cur == pkg && /^Status: / { $0 = "Status: " st } { print }' "$db" >"$tmp/status" &&
		cat "$tmp/status" >"$db"
}
# shellcheck disable=SC2016 # a dpkg-query format
status_of() { in_tree dpkg-query -W -f '${db:Status-Status}' "$1"; }
for state in "ok unpacked" "ok half-configured" "reinstreq half-installed"; do
	st=${state#* }
	set_status initramfs-tools "install $state" || fatal "cannot set initramfs-tools $st"
	check "initramfs-tools is $st" [ "$(status_of initramfs-tools)" = "$st" ]
	dpkg_in_tree "$tmp/state-remove.log" -r vfio-boot
	check "$st: dpkg -r exits 0" [ $? -eq 0 ]
	check "$st: postrm left the rebuild to initramfs-tools (no dracut)" \
		not_grep "rebuilding the initramfs with dracut" "$tmp/state-remove.log"
	dpkg_in_tree "$tmp/state-install.log" -i "/var/tmp/${deb##*/}"
	check "$st: dpkg -i exits 0" [ $? -eq 0 ]
	check "$st: postinst left the rebuild to initramfs-tools (no dracut)" \
		not_grep "rebuilding the initramfs with dracut" "$tmp/state-install.log"
done
# initramfs-tools does what was left to it once dpkg configures it.
set_status initramfs-tools "install ok unpacked" || fatal "cannot set initramfs-tools unpacked"
dpkg_in_tree "$tmp/state-remove.log" -r vfio-boot
check "unpacked: dpkg -r exits 0" [ $? -eq 0 ]
listing
check "unpacked: the image still has the binder (nothing rebuilt it yet)" in_image usr/sbin/vfio-boot-bind
dpkg_in_tree "$tmp/configure-itools.log" --configure initramfs-tools
check "dpkg --configure initramfs-tools exits 0" [ $? -eq 0 ]
listing
check "configuring initramfs-tools rebuilt the image without the binder" not_in_image usr/sbin/vfio-boot-bind
timing "dpkg's states" "$(seconds_since "$t0")"

# ------------------------------------------------ dracut-core alone

say "=== dracut-core alone: the maintainer scripts rebuild with dracut"
t0=$(date +%s.%N)
dtree=$tmp/dracut
tree_copy "$dtree"
chroot "$dtree" dpkg --purge --force-depends initramfs-tools initramfs-tools-core \
	>"$tmp/dracut-purge.log" 2>&1 || fatal "purging initramfs-tools from $dtree failed"
# Only what this check needs, so that each rebuild takes seconds: no kernel
# driver modules, no systemd; zstd as initramfs-tools uses.
printf '%s\n' 'omit_dracutmodules+=" kernel-modules kernel-modules-extra kernel-network-modules systemd "' \
	'compress="zstd"' >"$dtree/etc/dracut.conf.d/90-vfio-boot-test.conf"
cp "$deb" "$dtree/var/tmp/" || fatal "cannot copy $deb into $dtree"
dimg=$dtree/boot/initrd.img-$kver
dlisting() { lsinitrd "$dimg" >"$tmp/dimage.list" 2>&1; }
din_image() { grep -Eq "(^| )$1( -> .*)?\$" "$tmp/dimage.list"; }
dnot_in_image() { ! din_image "$1"; }
chroot "$dtree" dpkg -i "/var/tmp/${deb##*/}" >"$tmp/dracut-install.log" 2>&1
check "dracut: dpkg -i exits 0" [ $? -eq 0 ]
check "dracut: postinst rebuilt the image with dracut" \
	grep -q "^vfio-boot: rebuilding the initramfs with dracut" "$tmp/dracut-install.log"
dlisting
check "dracut: image has usr/sbin/vfio-boot-bind" din_image usr/sbin/vfio-boot-bind
check "dracut: image has the pre-udev hook" din_image 'usr/lib/dracut/hooks/pre-udev/[0-9]*-vfio-boot-pre-udev\.sh'

say "--- dracut fails: one outcome in postrm and postinst"
# A module that does not exist makes every dracut run fail before it writes.
dfail=$dtree/etc/dracut.conf.d/91-vfio-boot-test-fail.conf
# shellcheck disable=SC2016 # a dpkg-query format
dstatus() { chroot "$dtree" dpkg-query -W -f '${db:Status-Status}' vfio-boot; }
says_it_failed() { # STDERR WHAT: one line, what the image holds, the command
	grep -E "^vfio-boot: dracut failed \(exit status [1-9][0-9]*\): the initramfs is as it was, $2;" "$1" |
		grep -q 'run: dracut --regenerate-all --force$'
}
# run_named STDERR: with dracut working again, what the message says to run,
# run as it says.
run_named() {
	local named
	rm -f "$dfail"
	named=$(sed -n 's/^vfio-boot: dracut failed .*, run: //p' "$1")
	say "  # ${named:-(no command named)}"
	[ -n "$named" ] || return 1
	# shellcheck disable=SC2086 # the command as the message words it
	chroot "$dtree" $named </dev/null >"$tmp/dfail-named.log" 2>&1
}
echo 'add_dracutmodules+=" vfio-boot-test-no-such-module "' >"$dfail"
sha256sum "$dimg" >"$tmp/dimage.sum"
chroot "$dtree" dpkg -r vfio-boot >"$tmp/dfail-remove.out" 2>"$tmp/dfail-remove.err"
check "dracut fails, postrm: dpkg -r exits 0" [ $? -eq 0 ]
check "dracut fails, postrm: vfio-boot is config-files" [ "$(dstatus)" = config-files ]
check "dracut fails, postrm: stderr says the binder is still in the image, and the command" \
	says_it_failed "$tmp/dfail-remove.err" "with vfio-boot-bind still in it"
check "dracut fails, postrm: the image is as it was" sha256sum -c --quiet "$tmp/dimage.sum"
dlisting
check "dracut fails, postrm: the image still has usr/sbin/vfio-boot-bind" din_image usr/sbin/vfio-boot-bind
check "postrm's command, run: exits 0" run_named "$tmp/dfail-remove.err"
dlisting
check "postrm's command, run: image has no usr/sbin/vfio-boot-bind" dnot_in_image usr/sbin/vfio-boot-bind
echo 'add_dracutmodules+=" vfio-boot-test-no-such-module "' >"$dfail"
sha256sum "$dimg" >"$tmp/dimage.sum"
chroot "$dtree" dpkg -i "/var/tmp/${deb##*/}" >"$tmp/dfail-install.out" 2>"$tmp/dfail-install.err"
check "dracut fails, postinst: dpkg -i exits 0" [ $? -eq 0 ]
check "dracut fails, postinst: vfio-boot is installed (not half-configured)" [ "$(dstatus)" = installed ]
check "dracut fails, postinst: stderr says the image lacks this binder, and the command" \
	says_it_failed "$tmp/dfail-install.err" "without this vfio-boot-bind"
check "dracut fails, postinst: the image is as it was" sha256sum -c --quiet "$tmp/dimage.sum"
dlisting
check "dracut fails, postinst: the image has no usr/sbin/vfio-boot-bind" dnot_in_image usr/sbin/vfio-boot-bind
grep -h '^vfio-boot: dracut failed' "$tmp/dfail-remove.err" "$tmp/dfail-install.err" | sed 's/^/    | /'
check "postinst's command, run: exits 0" run_named "$tmp/dfail-install.err"
dlisting
check "postinst's command, run: image has usr/sbin/vfio-boot-bind" din_image usr/sbin/vfio-boot-bind
chroot "$dtree" dpkg -r vfio-boot >"$tmp/dracut-remove.log" 2>&1
check "dracut: dpkg -r exits 0" [ $? -eq 0 ]
check "dracut: postrm rebuilt the image with dracut" \
	grep -q "^vfio-boot: rebuilding the initramfs with dracut" "$tmp/dracut-remove.log"
dlisting
check "dracut: image has no usr/sbin/vfio-boot-bind" dnot_in_image usr/sbin/vfio-boot-bind
timing "dracut-core alone: install, remove" "$(seconds_since "$t0")"

say "=== timings"
# shellcheck disable=SC2154 # timings is kept by tests/lib-check.sh
for t in "${timings[@]}"; do say "  $t"; done
say "  $(printf '%-40s %6s s' total "$(seconds_since "$t_all")")"
summary
