# shellcheck shell=bash disable=SC2034 # the variables are for the sourcing script
# The QEMU rig of tests/boot (see tests/boot/README.md) and the guest report
# that a test-only boot script prints on the serial console, as functions to
# source. Used by tests/boot/run.sh, tests/chroot/run.sh and bench/boot.sh.
#
# Sourcing defines variables and functions and runs nothing. The caller sets
# $tmp (a work directory) before calling rig_boot.
#
#   rig_qemu_unusable          prints why QEMU cannot run here, or nothing
#   rig_debian_mirror [SUITE]  prints the archive apt uses for SUITE, or nothing
#   rig_debootstrap WORKDIR TREE SUITE MIRROR PACKAGES LOG
#                              a minbase tree (77: archive unreachable)
#   rig_newest_kver            prints the newest host kernel with modules
#   rig_itools_head COMMENT    prints the head of an initramfs-tools script
#   rig_itools_confdir DIR MODULES [STAGE]
#                              writes a config dir for mkinitramfs -d
#   rig_write_softdeps FILE    the softdeps configure writes for the rig's card
#   rig_write_report FILE      writes the guest report script (/bin/sh)
#   rig_write_itools_test CONFDIR REPORT [EXTRA]
#   rig_write_dracut_test MODDIR REPORT [EXTRA]
#   rig_write_mkinitcpio_test DIR REPORT [EXTRA]
#                              the test-only boot scripts that run it
#   rig_write_grub_standin ROOT
#                              a stand-in GRUB in a system tree
#   rig_grub_cmdline ROOT      the command line it last saw
#   rig_boot NAME KERNEL INITRD APPEND
#                              boots; sets $report, $console, $wall, $qemu_exit
#   driver_of ADDR ...         queries on $report (see below)

RIG_QEMU=qemu-system-x86_64
RIG_QEMU_EXTRA=() # more QEMU arguments (a disk)
RIG_BOOT_TIMEOUT=${BOOT_TIMEOUT:-180}

# Addresses in the rig (see rig_qemu_args).
BOOT_VGA=0000:00:01.0  # QEMU's default VGA, 1234:1111, boot_vga=1: the host GPU
PT_VGA=0000:01:00.0    # bochs-display: the emulated passthrough GPU, 1234:1111
PT_AUDIO=0000:01:00.1  # ich9-intel-hda beside it (snd_hda_intel)
PT_USB=0000:01:00.2    # qemu-xhci beside it (xhci_pci, driver xhci_hcd)
SERIAL=0000:00:04.0    # pci-serial, claimed by the built-in 8250_pci (serial)
PCI_CARD="$PT_VGA $PT_AUDIO $PT_USB"
# The native drivers vfio-boot has to beat: every image must carry them.
RIG_NATIVE_DRIVERS="bochs snd_hda_intel xhci_pci"

# Kernel log: driver core debug (really_probe/driver_bound) names every
# driver that probes or binds a device, so "never bound" can be proved.
# no_timer_check: under TCG on a busy host the kernel's check of the IO-APIC
# timer can miss its ticks and panic at 0.05 s ("timer doesn't work through
# Interrupt-remapped IO-APIC"), seen here at load 10 on 2 cores; it tests
# QEMU's timer, not vfio-boot.
RIG_APPEND='console=ttyS0 panic=-1 no_timer_check log_buf_len=1M dyndbg="file drivers/base/dd.c +p"'
# dracut: no shell, power off on failure, udevd announces its start.
RIG_DRACUT_APPEND='rd.shell=0 rd.emergency=poweroff rd.udev.log_level=info'

# The Debian archive this machine's apt uses for SUITE (default bookworm):
# the first URI of a "deb" source for exactly that suite, from
# /etc/apt/sources.list.d/*.sources (deb822) or the one-line sources.list
# files. Prints nothing when there is none.
rig_debian_mirror() { # [SUITE]
	local suite=${1:-bookworm} f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# Stanzas are separated by blank lines; keys are case-insensitive.
		awk -v suite="$suite" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "")
					{ print uri; found = 1; exit }
				types = suites = uri = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			{ key = tolower($1) }
			key == "types:" { $1 = ""; types = $0 }
			key == "suites:" { $1 = ""; suites = $0 }
			key == "uris:" { uri = $2 }
			END { if (!found) flush() }' "$f" | head -1 | grep . && return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v suite="$suite" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) while (i <= NF && $i !~ /\]$/) i++
				if ($i ~ /^\[/ || $i ~ /\]$/) i++
				if ($(i + 1) == suite) { print $i; exit }
			}' "$f" | head -1 | grep . && return 0
	done
	return 0
}

# debootstrap --variant=minbase SUITE into TREE with PACKAGES (a comma list)
# from MIRROR, the log in LOG. The .debs come from VFIO_BOOT_DEB_CACHE, or a
# private cache in WORKDIR seeded with hard links from the host's apt cache
# (only read; debootstrap checks every checksum). Returns 0, 77 when the
# archive cannot be reached, 1 on another failure (the log says why).
rig_debootstrap() { # WORKDIR TREE SUITE MIRROR PACKAGES LOG
	local debs
	if [ -n "${VFIO_BOOT_DEB_CACHE:-}" ]; then
		mkdir -p "$VFIO_BOOT_DEB_CACHE" || return 1
		debs=$(cd "$VFIO_BOOT_DEB_CACHE" && pwd)
	else
		debs=$1/debs
		mkdir -p "$debs"
		find /var/cache/apt/archives -maxdepth 1 -name '*.deb' \
			-exec cp -l -t "$debs" {} + 2>/dev/null || true
	fi
	if debootstrap --variant=minbase --cache-dir="$debs" --include="$5" "$3" "$2" "$4" \
		>"$6" 2>&1; then
		rm -f "$2"/var/cache/apt/archives/*.deb
		return 0
	fi
	grep -q -e 'Failed getting release file' -e "Couldn't download" \
		-e 'Failure trying to run: .*wget' "$6" && return 77
	return 1
}

rig_qemu_unusable() {
	local dev smoke
	if ! command -v "$RIG_QEMU" >/dev/null 2>&1; then
		printf '%s not found\n' "$RIG_QEMU"
		return
	fi
	for dev in /dev/null /dev/zero /dev/urandom; do
		[ -c "$dev" ] || {
			printf '%s missing, QEMU cannot run\n' "$dev"
			return
		}
	done
	if ! smoke=$(printf 'quit\n' | timeout 60 "$RIG_QEMU" -machine q35,accel=tcg \
		-display none -nodefaults -monitor stdio -S 2>&1); then
		printf '%s cannot start a q35 TCG machine here: %s\n' "$RIG_QEMU" "$smoke"
	fi
}

# The newest VERSION (sort -V) of /boot/vmlinuz-VERSION that has
# /lib/modules/VERSION/modules.dep, or nothing.
rig_newest_kver() {
	local f k newest=
	for k in $(for f in /boot/vmlinuz-*; do printf '%s\n' "${f#/boot/vmlinuz-}"; done | sort -V); do
		[ -e "/lib/modules/$k/modules.dep" ] && newest=$k
	done
	[ -z "$newest" ] || printf '%s\n' "$newest"
}

# The head of an initramfs-tools hook or boot script: #!/bin/sh, "# COMMENT"
# and the answer to "prereqs" (none).
rig_itools_head() { # COMMENT
	printf '#!/bin/sh\n# %s\n' "$1"
	cat <<'EOF'
PREREQ=""
case "$1" in prereqs) echo "$PREREQ"; exit 0 ;; esac
EOF
}

# An initramfs-tools config dir for `mkinitramfs -d DIR`: the rig's
# initramfs.conf with MODULES=$2 and an empty modules file. With STAGE (the
# tree of `make install DESTDIR=STAGE`), the vfio-boot files as the package
# installs them: its hook and init-top script (mkinitramfs runs DIR/hooks
# after /usr/share/initramfs-tools/hooks and copies DIR/scripts over
# /usr/share/initramfs-tools/scripts).
rig_itools_confdir() { # DIR MODULES [STAGE]
	local d=$1 stage=${3:-}
	mkdir -p "$d/hooks" "$d/scripts/init-top" "$d/scripts/init-premount" "$d/conf.d"
	printf '%s\n' "MODULES=$2" BUSYBOX=y KEYMAP=n COMPRESS=zstd DEVICE= NFSROOT=auto \
		RUNSIZE=10% FSTYPE=auto >"$d/initramfs.conf"
	: >"$d/modules"
	[ -n "$stage" ] || return 0
	cp -p "$stage/usr/share/initramfs-tools/hooks/"* "$d/hooks/"
	cp -p "$stage/usr/share/initramfs-tools/scripts/init-top/"* "$d/scripts/init-top/"
	chmod 755 "$d/hooks/"* "$d/scripts/init-top/"*
}

# The softdeps `vfio-boot configure` writes to /etc/modprobe.d/00-vfio-boot.conf for
# the rig's card (the modules that claim its functions), for tests that build
# images without running configure. Nothing else puts softdeps in an image.
rig_write_softdeps() { # FILE
	printf '%s\n' "# tests: what vfio-boot configure writes for the rig's card" \
		"softdep bochs pre: vfio-pci" "softdep snd_hda_intel pre: vfio-pci" \
		"softdep xhci_pci pre: vfio-pci" >"$1"
}

# The report, run once udev has settled. Every report line starts with "VBR "
# so kernel messages on the console cannot pass for one; printk is turned
# down first anyway. $1 of the script names the generator.
rig_write_report() { # FILE
	cat >"$1" <<'EOF'
#!/bin/sh
# Test only: print the vfio-boot report on the console, power off.
gen=$1
exec >/dev/console 2>&1 # under systemd, stdout would go to the journal
echo 1 >/proc/sys/kernel/printk 2>/dev/null
command -v udevadm >/dev/null 2>&1 && udevadm settle --timeout=30 2>/dev/null
p() { printf 'VBR %s\n' "$*"; }
echo "=== VFIO-BOOT-REPORT BEGIN ==="
p "generator $gen"
p "uptime $(cat /proc/uptime)"
p "cmdline $(cat /proc/cmdline)"
for d in /sys/bus/pci/devices/*; do
	drv=none
	[ -e "$d/driver" ] && drv=$(readlink "$d/driver") && drv=${drv##*/}
	id="$(cat "$d/vendor"):$(cat "$d/device")"
	id=$(echo "$id" | sed 's/0x//g')
	p "dev ${d##*/} $id driver=$drv override=$(cat "$d/driver_override")"
	grp=none
	[ -e "$d/iommu_group" ] && grp=$(readlink "$d/iommu_group") && grp=${grp##*/}
	p "pci ${d##*/} class=$(cat "$d/class") group=$grp"
done
for m in vfio_pci vfio_iommu_type1 bochs snd_hda_intel xhci_pci pci_stub; do
	[ -d "/sys/module/$m" ] && p "module $m loaded"
done
# Files a test left for the report (tests/system: what ran in the real root).
for f in /run/vfio-boot-test/*; do
	[ -r "$f" ] || continue
	while IFS= read -r l || [ -n "$l" ]; do p "file ${f##*/} $l"; done <"$f"
done
if [ -r /run/vfio-boot/status.json ]; then
	while IFS= read -r l || [ -n "$l" ]; do p "status $l"; done </run/vfio-boot/status.json
else
	p "nostatus"
fi
if [ -r /scripts/init-top/ORDER ]; then
	while IFS= read -r l; do p "order $l"; done </scripts/init-top/ORDER
fi
if [ -r /config ]; then # mkinitcpio: the hooks /init runs
	while IFS= read -r l; do p "config $l"; done </config
fi
for h in /lib/dracut/hooks/pre-udev/*; do
	[ -e "$h" ] && p "pre-udev-hook ${h##*/}"
done
dmesg | while IFS= read -r l; do
	case $l in
	*vfio-boot*|*udevd*) p "kmsg $l" ;;
	*"0000:"*)
		case $l in
		*"bound to device"*|*"probing driver"*|*"matched device"*|*"bound device"*) p "kmsg $l" ;;
		esac ;;
	esac
done
echo "=== VFIO-BOOT-REPORT END ==="
# The UART still sends what the tty took (about 1 s of report at 115200
# baud); sysrq's own line, printed at once, would cut into it.
sleep 2
echo o >/proc/sysrq-trigger
sleep 30
EOF
	chmod 755 "$1"
}

# The test-only boot scripts that add the native drivers and REPORT (a path
# as the generator sees it) to the image and run the report once udev has
# settled. EXTRA, when given, is one more line for the hook (initramfs-tools)
# or for install() (dracut), e.g. to copy a file in.

# initramfs-tools: CONFDIR/hooks/zz-vfio-boot-test and
# CONFDIR/scripts/init-premount/zz-vfio-boot-test.
rig_write_itools_test() { # CONFDIR REPORT [EXTRA]
	mkdir -p "$1/hooks" "$1/scripts/init-premount"
	{
		rig_itools_head "Test only: the native drivers vfio-boot must beat, and the report."
		cat <<EOF
. /usr/share/initramfs-tools/hook-functions
manual_add_modules $RIG_NATIVE_DRIVERS
copy_exec "$2" /usr/bin/vfio-boot-test-report
${3:-}
exit 0
EOF
	} >"$1/hooks/zz-vfio-boot-test"
	{
		rig_itools_head "Test only: udev has settled (init-top/udev); report and power off."
		echo "/usr/bin/vfio-boot-test-report initramfs-tools"
	} >"$1/scripts/init-premount/zz-vfio-boot-test"
	chmod 755 "$1/hooks/zz-vfio-boot-test" "$1/scripts/init-premount/zz-vfio-boot-test"
}

# dracut: the module MODDIR (name it 99vfio-boot-test; check() says 255, so
# it comes in by --add or add_dracutmodules), with a stand-in root= so that
# dracut gets to pre-mount without a root disk.
rig_write_dracut_test() { # MODDIR REPORT [EXTRA]
	mkdir -p "$1"
	cat >"$1/module-setup.sh" <<EOF
#!/bin/bash
# Test only: the native drivers, the report, a stand-in root=.
check() { return 255; }
depends() { echo vfio-boot; }
installkernel() { hostonly='' instmods $RIG_NATIVE_DRIVERS; }
install() {
	inst_script "$2" /usr/bin/vfio-boot-test-report
	inst_multiple cat readlink dmesg sed sleep
	inst_hook cmdline 99 "\$moddir/test-root.sh"
	inst_hook pre-mount 99 "\$moddir/test-report.sh"
	${3:-}
}
EOF
	cat >"$1/test-root.sh" <<'EOF'
#!/bin/sh
# Test only: there is no root disk; let dracut go on to pre-mount.
[ -n "${root:-}" ] || root=vfio-boot-test
rootok=1
EOF
	cat >"$1/test-report.sh" <<'EOF'
#!/bin/sh
# Test only: udev has settled; report and power off.
/usr/bin/vfio-boot-test-report dracut
EOF
	chmod 755 "$1/"*
}

# mkinitcpio: the hook `vfio-boot-test` under DIR (install/ and hooks/, where
# mkinitcpio looks them up), to be put after udev (or systemd) in HOOKS. Its
# build() adds the native drivers, REPORT and EXTRA (a line, e.g. to add a
# file); at boot, its run_hook (busybox init: after udev's coldplug) or its
# unit (systemd: after systemd-udev-trigger.service) runs the report.
rig_write_mkinitcpio_test() { # DIR REPORT [EXTRA]
	mkdir -p "$1/install" "$1/hooks"
	cat >"$1/install/vfio-boot-test" <<EOF
#!/bin/bash
# Test only: the native drivers vfio-boot must beat, and the report.
build() {
	map add_module $RIG_NATIVE_DRIVERS
	add_binary "$2" /usr/bin/vfio-boot-test-report
	${3:-}
	add_runscript
	add_file - /usr/lib/systemd/system/vfio-boot-test.service 644 <<'UNIT'
[Unit]
Description=Test only: the vfio-boot report
DefaultDependencies=no
After=systemd-udev-trigger.service
Before=initrd.target
IgnoreOnIsolate=yes
[Service]
Type=oneshot
ExecStart=/usr/bin/vfio-boot-test-report mkinitcpio-systemd
UNIT
	add_symlink /usr/lib/systemd/system/sysinit.target.wants/vfio-boot-test.service \\
		/usr/lib/systemd/system/vfio-boot-test.service
}
EOF
	cat >"$1/hooks/vfio-boot-test" <<'EOF'
#!/usr/bin/ash
# shellcheck shell=dash
# Test only: udev has coldplugged (its run_hook came first); report, power off.
run_hook() {
	/usr/bin/vfio-boot-test-report mkinitcpio
}
EOF
}

# A stand-in GRUB in the system tree ROOT: Debian's /etc/default/grub as
# shipped (so that the configurator takes its GRUB path), and an update-grub
# that records, from inside the chroot, the command line it would have put in
# grub.cfg (the real one needs grub-probe, which cannot work on a directory).
rig_write_grub_standin() { # ROOT
	mkdir -p "$1/etc/default" "$1/usr/sbin"
	# shellcheck disable=SC2016 # the backquotes belong to the file
	printf '%s\n' '# If you change this file, run '"'"'update-grub'"'"' afterwards to update' \
		'# /boot/grub/grub.cfg.' \
		'GRUB_DEFAULT=0' 'GRUB_TIMEOUT=5' \
		'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`' \
		'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' 'GRUB_CMDLINE_LINUX=""' >"$1/etc/default/grub"
	cat >"$1/usr/sbin/update-grub" <<'EOF'
#!/bin/sh
# Test only: stands in for GRUB's update-grub.
. /etc/default/grub
echo "update-grub: linux ... $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" >>/var/log/vfio-boot-test-calls
EOF
	chmod 755 "$1/usr/sbin/update-grub"
}

# The command line the stand-in update-grub saw last, less "quiet" (the
# console log is the evidence): what GRUB would boot the tree with.
rig_grub_cmdline() { # ROOT
	tail -1 "$1/var/log/vfio-boot-test-calls" 2>/dev/null |
		sed -e 's/^update-grub: linux \.\.\. *//' -e 's/\bquiet\b//g' -e 's/  */ /g' \
			-e 's/^ //' -e 's/ $//'
}

rig_qemu_args() { # KERNEL INITRD
	printf '%s\n' -machine q35,accel=tcg -cpu max -m 1024 -smp 2 \
		-display none -monitor none -no-reboot -nodefaults -vga std \
		-device intel-iommu,intremap=on \
		-device pcie-root-port,id=rp1,chassis=1,slot=1,bus=pcie.0,addr=02.0 \
		-device bochs-display,bus=rp1,addr=00.0,multifunction=on \
		-device ich9-intel-hda,bus=rp1,addr=00.1 \
		-device qemu-xhci,bus=rp1,addr=00.2 \
		-device pci-serial,bus=pcie.0,addr=04.0 \
		-kernel "$1" -initrd "$2" "${RIG_QEMU_EXTRA[@]}"
}

# Boots; the serial log goes to $tmp/NAME.serial, its printable text to
# $console, the report lines (without "VBR ") to $report, the wall time in
# seconds to $wall, QEMU's exit status (124: timed out) to $qemu_exit.
# Returns 1, with the console tail on stdout, when the report did not arrive.
rig_boot() { # NAME KERNEL INITRD APPEND
	local name=$1 log=${tmp:?}/$1.serial t0 t1 rc
	local -a args
	mapfile -t args < <(rig_qemu_args "$2" "$3")
	report=$tmp/$name.report
	console=$tmp/$name.console
	t0=$(date +%s.%N)
	# --foreground: QEMU stays in the caller's process group, so that a
	# caller that stops its process group stops QEMU too.
	timeout --foreground -k 10 "$RIG_BOOT_TIMEOUT" "$RIG_QEMU" "${args[@]}" -serial "file:$log" \
		-append "$4" </dev/null >"$tmp/$name.qemu.log" 2>&1
	rc=$?
	qemu_exit=$rc
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# Printable text only: a garbage config can put binary bytes in the log.
	tr -cd '\11\12\40-\176' <"$log" >"$console"
	sed -n '/=== VFIO-BOOT-REPORT BEGIN ===/,/=== VFIO-BOOT-REPORT END ===/p' "$console" |
		sed -n 's/^VBR //p' >"$report"
	if ! grep -q '=== VFIO-BOOT-REPORT END ===' "$console"; then
		printf '    no report (qemu exit %s); serial log tail:\n' "$rc"
		tail -40 "$console" | sed 's/^/    | /'
		sed 's/^/    qemu: /' "$tmp/$name.qemu.log"
		return 1
	fi
}

# ------------------------------------------------------ report queries

driver_of() { sed -n "s/^dev $1 [^ ]* driver=\\([^ ]*\\) .*/\\1/p" "$report"; }
has_driver() { [ "$(driver_of "$1")" = "$2" ]; }
not_driver() {
	local d
	d=$(driver_of "$1")
	[ -n "$d" ] && [ "$d" != "$2" ]
}
override_of() { sed -n "s/^dev $1 [^ ]* driver=[^ ]* override=\\(.*\\)\$/\\1/p" "$report"; }
kmsg() { sed -n 's/^kmsg //p' "$report"; }
# Drivers that the kernel log shows probing or binding ADDR.
drivers_seen() {
	kmsg | grep -F "$1" | sed -n \
		-e "s/.*probing driver \\([^ ]*\\) with device $1\$/\\1/p" \
		-e "s/.*matched device $1 with driver \\([^ ]*\\)\$/\\1/p" \
		-e "s/.*bound device $1 to driver \\([^ ]*\\)\$/\\1/p" \
		-e "s/.*driver: '\\([^']*\\)': driver_bound: bound to device '$1'\$/\\1/p" | sort -u
}
only_vfio_seen() { # ADDR: nothing but vfio-pci ever probed or bound it
	local seen
	seen=$(drivers_seen "$1")
	[ "$seen" = vfio-pci ] || {
		printf '    drivers seen for %s: %s\n' "$1" "${seen:-none}"
		return 1
	}
}
seen_driver() { drivers_seen "$1" | grep -qx "$2"; }

# status.json: flattened; device objects hold no nested objects.
status_flat() { sed -n 's/^status //p' "$report" | tr -d '\n'; }
status_dev() { status_flat | grep -o "{[^{}]*\"address\": *\"$1\"[^{}]*}"; }
status_field() { # ADDR FIELD -> value (string without quotes, or null)
	status_dev "$1" | grep -o "\"$2\": *\\(\"[^\"]*\"\\|null\\)" | head -1 |
		sed -e 's/^"[^"]*": *//' -e 's/^"\(.*\)"$/\1/'
}
status_is() { # ADDR FIELD VALUE
	local v
	v=$(status_field "$1" "$2")
	[ "$v" = "$3" ] || {
		printf "    status.json %s %s: got '%s', want '%s'\n" "$1" "$2" "$v" "$3"
		return 1
	}
}
status_valid() {
	grep -q '^status ' "$report" || return 1
	if command -v jq >/dev/null 2>&1; then
		sed -n 's/^status //p' "$report" | jq -e .devices >/dev/null
	fi
}
