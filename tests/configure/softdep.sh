#!/bin/bash
# shellcheck disable=SC2154 # here, T, work, own, kver, kdir and the helpers are run.sh's
# Sourced by tests/configure/run.sh: softdeps that take effect. kmod uses
# only the first softdep line that names a module, reading modules.softdep
# (depmod's, from each module's MODULE_SOFTDEP) and the modprobe.d files in
# the byte order of their names. What configure writes is checked with the
# real modprobe, reading the tree: `modprobe -d TREE -C TREE/etc/modprobe.d
# -S KVER --show-depends MODULE`.

# The modules `modprobe MODULE` loads in the tree, in order, one per line:
# the .ko file's name ("vfio-pci", "snd-hda-intel"), "install" for an install
# command, "builtin:NAME".
show_depends() { # MODULE [KVER]
	modprobe -d "$T" -C "$T/etc/modprobe.d" -S "${2:-$kver}" --show-depends "$1" 2>/dev/null |
		sed -n -e 's,^insmod .*/\([^/]*\)\.ko[^ ]* .*$,\1,p' -e 's,^install .*,install,p' \
			-e 's,^builtin \(.*\)$,builtin:\1,p'
}
# A loads before B when modprobe MODULE runs (both loaded).
loads_before() { # A B MODULE [KVER]
	local list a b
	list=$(show_depends "$3" "${4:-$kver}")
	a=$(printf '%s\n' "$list" | grep -nx -- "$1" | head -n 1 | cut -d: -f1)
	b=$(printf '%s\n' "$list" | grep -nx -- "$2" | head -n 1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		fail "modprobe ${4:-$kver} $3: $1 does not load before $2: $(printf '%s' "$list" | tr '\n' ' ')"
	fi
}
not_loaded() { # A MODULE
	! show_depends "$2" | grep -qx -- "$1" || fail "modprobe $2 loads $1"
}

# A file of the tree's modprobe.d, as an admin writes it.
modprobe_file() { # REL TEXT
	mkdir -p "$(dirname "$T/$1")"
	printf '%b' "$2" >"$T/$1"
}

# A module's own softdep as depmod writes it into modules.softdep (one line
# per module with MODULE_SOFTDEP, in its own words): appended to the copy of
# the kernel's index, which kmod reads as it reads depmod's lines.
module_softdep() { # MODULE DEPS...
	local m=$1
	shift
	echo "softdep $m $*" >>"$T/lib/modules/$kver/modules.softdep"
}

begin softdep-module-and-admin-merged
host_tree
module_softdep nouveau pre: i2c-algo-bit post: snd-hda-codec-hdmi
modprobe_file etc/modprobe.d/sound.conf "# the admin's\nsoftdep snd-hda-intel pre: crc8\n"
# The bug: a softdep in a file that sorts after modules.softdep is ignored.
modprobe_file etc/modprobe.d/vfio.conf 'softdep nouveau pre: vfio-pci\n'
not_loaded vfio-pci nouveau
rm "$T/etc/modprobe.d/vfio.conf"
baseline
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has "$own" "softdep nouveau pre: vfio-pci i2c-algo-bit post: snd-hda-codec-hdmi"
has "$own" "# nouveau keeps its own softdeps from /lib/modules/$kver/modules.softdep."
has "$own" "softdep snd_hda_intel pre: vfio-pci crc8"
has "$own" "# snd_hda_intel keeps its own softdeps from /etc/modprobe.d/sound.conf."
has "$own" "softdep xhci_pci pre: vfio-pci"
# The real modprobe: vfio-pci first, the modules' own softdeps still load.
loads_before vfio-pci nouveau nouveau
loads_before i2c-algo-bit nouveau nouveau
loads_before nouveau snd-hda-codec-hdmi nouveau
loads_before vfio-pci snd-hda-intel snd_hda_intel
loads_before crc8 snd-hda-intel snd_hda_intel
loads_before vfio-pci xhci-pci xhci_pci
vboot check
has out "ok    softdeps         $kver: vfio-pci loads before nouveau, snd_hda_intel, xhci_pci"
lacks out "fail  softdeps"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
not_loaded vfio-pci nouveau
end

begin softdep-kernels-differ
# A second kernel whose snd-hda-intel.ko declares MODULE_SOFTDEP (written
# into its .modinfo), indexed by the real depmod: one line serves both
# kernels, so it carries the union, and says so.
host_tree
kv=6.1.0-vbsoftdep
d=$T/lib/modules/$kv/kernel
mkdir -p "$d"
for m in snd-hda-intel vfio-pci vfio-pci-core vfio vfio_iommu_type1 vfio_virqfd irqbypass \
	crc7 crc8; do
	f=$(find "$kdir/kernel" -name "$m.ko*" | head -n 1)
	case $f in
	*.ko) cp "$f" "$d/" ;;
	*.ko.xz) xz -dc "$f" >"$d/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$d/$m.ko" ;;
	*) fail "no $m.ko in $kdir" ;;
	esac
done
if ! objcopy -O binary --only-section=.modinfo "$d/snd-hda-intel.ko" "$work/modinfo" ||
	! printf 'softdep=pre: crc8 post: crc7\0' >>"$work/modinfo" ||
	! objcopy --update-section .modinfo="$work/modinfo" "$d/snd-hda-intel.ko"; then
	fail "objcopy"
fi
depmod -b "$T" "$kv" 2>/dev/null || fail "depmod"
grep -qx "softdep snd_hda_intel pre: crc8 post: crc7" "$T/lib/modules/$kv/modules.softdep" ||
	fail "depmod wrote no softdep: $(cat "$T/lib/modules/$kv/modules.softdep")"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has "$own" "# snd_hda_intel's own softdeps differ between kernels ($kver: none; $kv: pre: crc8 post: crc7): this line loads them all."
has "$own" "softdep snd_hda_intel pre: vfio-pci crc8 post: crc7"
loads_before vfio-pci snd-hda-intel snd_hda_intel "$kv"
loads_before crc8 snd-hda-intel snd_hda_intel "$kv"
loads_before snd-hda-intel crc7 snd_hda_intel "$kv"
loads_before vfio-pci snd-hda-intel snd_hda_intel
vboot check
has out "ok    softdeps         $kv: vfio-pci loads before snd_hda_intel"
has out "ok    softdeps         $kver: vfio-pci loads before nouveau, snd_hda_intel, xhci_pci"
end

begin softdep-admin-file-first-refused
# An admin's softdep in a file that sorts before configure's (a wildcard
# counts: kmod matches with fnmatch) wins: configure says which module would
# escape, and writes nothing; --force writes it anyway; check fails.
host_tree
modprobe_file etc/modprobe.d/0-gpu.conf 'softdep nouv* pre: crc8\n'
baseline
vboot configure 10de:2504@0000:01:00.0
refused_unchanged "an admin's softdep first"
one_line_err
has err "nouveau would load without vfio-pci first ($kver): its softdep in /etc/modprobe.d/0-gpu.conf wins; nothing written (--force writes it anyway)"
vboot --json configure 10de:2504@0000:01:00.0
rc_is 2
jq -e '.changed == false and (.errors[0] | test("^nouveau would load without vfio-pci first"))' \
	"$T/out" >/dev/null || fail "--json: $(cat "$T/out")"
vboot configure --force 10de:2504@0000:01:00.0
rc_is 0
has err "nouveau would load without vfio-pci first ($kver): its softdep in /etc/modprobe.d/0-gpu.conf wins (kept: --force)"
not_loaded vfio-pci nouveau
vboot check
rc_is 3
has out "fail  softdeps         nouveau would load without vfio-pci first ($kver): its softdep in /etc/modprobe.d/0-gpu.conf wins"
# The admin renames the file: it sorts after configure's, whose line carries theirs.
mv "$T/etc/modprobe.d/0-gpu.conf" "$T/etc/modprobe.d/gpu.conf"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has "$own" "softdep nouveau pre: vfio-pci crc8"
loads_before vfio-pci nouveau nouveau
loads_before crc8 nouveau nouveau
end

begin softdep-vfio-pci-install-refused
# An install command for vfio-pci runs instead of loading it.
host_tree
modprobe_file etc/modprobe.d/no-vfio.conf 'install vfio_pci /bin/true\n'
baseline
vboot configure 10de:2504@0000:01:00.0
refused_unchanged "vfio-pci's install command"
has err "nouveau would load without vfio-pci first ($kver): vfio-pci's install command in /etc/modprobe.d/no-vfio.conf runs instead of loading it"
end

begin softdep-install-command-kept
# A module with softdeps has its install command ignored by kmod: an
# admin's `install nouveau /bin/false` gets no softdep beside it, and keeps
# nouveau from loading at all.
host_tree
modprobe_file etc/modprobe.d/no-nouveau.conf 'blacklist nouveau\ninstall nouveau /bin/false\n'
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "warning: nouveau: its install command in /etc/modprobe.d/no-nouveau.conf runs instead of loading it ($kver), and vfio-pci is not loaded ahead of it"
lacks "$own" "softdep nouveau"
has "$own" "# No softdep for nouveau: its install command in /etc/modprobe.d/no-nouveau.conf runs instead of"
[ "$(show_depends nouveau)" = install ] || fail "modprobe nouveau: $(show_depends nouveau)"
loads_before vfio-pci snd-hda-intel snd_hda_intel
vboot check
has out "warn  softdeps         nouveau: its install command in /etc/modprobe.d/no-nouveau.conf runs instead of loading it"
end

begin softdep-unreadable-config-refused
# A FIFO among the modprobe.d files: kmod would wait on it for ever. Said,
# one line, nothing written; check fails on it.
host_tree
vboot configure 10de:2504@0000:01:00.0
rc_is 0
mkdir -p "$T/lib/modprobe.d"
mkfifo "$T/lib/modprobe.d/x.conf"
baseline
: >"$T/var/log/calls"
vboot configure 02:00.0
rc_is 1
one_line_err
has err "cannot read /lib/modprobe.d/x.conf: not a regular file"
tree_unchanged "a FIFO in modprobe.d"
calls_are ""
vboot check
rc_is 3
has out "fail  softdeps         cannot read /lib/modprobe.d/x.conf: not a regular file"
end

begin softdep-block-markers-out-of-order
# configure's markers in its file out of order: its lines cannot be told from
# the admin's. Refused with the fix, nothing written; check fails.
host_tree
vboot configure 10de:2504@0000:01:00.0
rc_is 0
printf '# END vfio-boot\n' >>"$T/$own"
baseline
vboot configure 02:00.0
rc_is 2
one_line_err
has err "/$own: its lines \"# BEGIN vfio-boot: lines down to END are vfio-boot configure's own\" and \"# END vfio-boot\" are out of order: put them right or take them out"
tree_unchanged "markers out of order"
vboot check
rc_is 3
has out "fail  softdeps         /$own: its lines"
end

begin softdep-hand-written-selection-warned
# A selection written by hand has no softdep of configure's: check warns.
host_tree
printf '10de:2504@01:00.0\n' >"$T/etc/vfio-boot.conf"
vboot check
has out "warn  softdeps         nouveau would load without vfio-pci first ($kver): no softdep line names it"
lacks out "fail  softdeps"
end

# A host configured by vfio-boot 0.1.0 (its block in /etc/modprobe.d/vfio.conf,
# its journal), as that version's `configure 10de:2504@0000:01:00.0` left the
# example host: tests/configure/previous-0.1.0.
configured_by_0_1_0() {
	cp -r "$here/previous-0.1.0/." "$T/"
	chmod 700 "$T/var/lib/vfio-boot"
	chmod 600 "$T/var/lib/vfio-boot/journal"
}

begin softdep-upgrade-from-0.1.0
host_tree
module_softdep nouveau pre: i2c-algo-bit
baseline
configured_by_0_1_0
# 0.1.0's softdep is ignored: modules.softdep has nouveau's first.
vboot check
rc_is 3
has out "fail  softdeps         nouveau would load without vfio-pci first ($kver): its softdep in /lib/modules/$kver/modules.softdep wins"
not_loaded vfio-pci nouveau
# configure again moves the block to its own file, and vfio.conf (0.1.0 made it) goes.
vboot configure 10de:2504@0000:01:00.0
rc_is 0
[ ! -e "$T/etc/modprobe.d/vfio.conf" ] || fail "0.1.0's vfio.conf left: $(cat "$T/etc/modprobe.d/vfio.conf")"
has "$own" "softdep nouveau pre: vfio-pci i2c-algo-bit"
loads_before vfio-pci nouveau nouveau
loads_before i2c-algo-bit nouveau nouveau
vboot check
lacks out "softdeps         nouveau would"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure after an upgrade"
end

begin softdep-unconfigure-0.1.0-journal
host_tree
baseline
configured_by_0_1_0
vboot unconfigure
rc_is 0
has out "unconfigured: every file is back as it was"
tree_unchanged "unconfigure of 0.1.0's journal"
end
