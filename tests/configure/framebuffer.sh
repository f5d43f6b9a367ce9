#!/bin/bash
# shellcheck disable=SC2154 # here, T, work, kver and the helpers are run.sh's
# Sourced by tests/configure/run.sh: the flag that keeps the kernel's firmware
# framebuffer off a card the selection takes (a single-GPU host), written only
# then, the one the installed kernels need, and taken back by unconfigure.

# The guest card's BAR 1 holds what the firmware framebuffer LABEL uses.
fb_on_card() { # LABEL
	printf '0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n' \
		>"$T/sys/devices/pci0000:00/0000:01:00.0/resource"
	printf '00000000-00000fff : Reserved\ne0000000-e07fffff : %s\n  e0000000-e07fffff : %s\n' \
		"$1" "$1" >"$T/proc/iomem"
}
kconfig() { printf '#\nCONFIG_X86=y\n%s\n' "$2" >"$T/boot/config-$1"; }
fb_grub() { has etc/default/grub "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt$1\""; }

begin framebuffer-sysfb-kernel
# BOOTFB (sysfb's simple-framebuffer) on the card, a kernel with sysfb:
# initcall_blacklist=sysfb_init, in the diff, the file, the journal; unconfigure
# takes it back with the rest.
host_tree
fb_on_card BOOTFB
mkdir -p "$T/boot"
kconfig "$kver" CONFIG_SYSFB=y
baseline
vboot --dry-run configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt initcall_blacklist=sysfb_init\""
has out "the firmware framebuffer sits on the memory of 0000:01:00.0 (BOOTFB)"
tree_unchanged "dry run"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub " initcall_blacklist=sysfb_init"
lacks etc/default/grub "efifb"
grep -qF "initcall_blacklist=sysfb_init" "$T/var/lib/vfio-boot/journal" ||
	fail "the journal lacks the flag"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin framebuffer-older-kernel
# efifb on the card, a kernel without sysfb: video=efifb:off.
host_tree
fb_on_card efifb
mkdir -p "$T/boot"
kconfig "$kver" "# CONFIG_SYSFB is not set"
baseline
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub " video=efifb:off"
lacks etc/default/grub "initcall_blacklist"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin framebuffer-kernels-mixed
# One kernel of each: both flags (each kernel ignores the one it lacks).
host_tree
fb_on_card efifb
mkdir -p "$T/boot" "$T/lib/modules/5.10.0-vbold"
cp "$T/lib/modules/$kver"/modules.* "$T/lib/modules/5.10.0-vbold/"
kconfig "$kver" CONFIG_SYSFB=y
kconfig 5.10.0-vbold "# CONFIG_SYSFB is not set"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub " initcall_blacklist=sysfb_init video=efifb:off"
end

begin framebuffer-not-taken
# The framebuffer on a card the selection leaves (the host's own GPU): nothing.
host_tree
fb_on_card efifb
printf '0x00000000d0000000 0x00000000dfffffff 0x0000000000040200\n' \
	>"$T/sys/devices/pci0000:00/0000:01:00.0/resource"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub ""
lacks out "the firmware framebuffer"
end

begin framebuffer-no-kernel-config
# No /boot/config-KVER (a kernel built elsewhere): the version decides, sysfb
# from 5.15 on. One kernel each side of it: both flags.
host_tree
fb_on_card efifb
rm -f "$T"/boot/config-*
mkdir -p "$T/lib/modules/5.14.21-vbold"
cp "$T/lib/modules/$kver"/modules.* "$T/lib/modules/5.14.21-vbold/"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub " initcall_blacklist=sysfb_init video=efifb:off"
vboot unconfigure
rc_is 0
rm -rf "$T/lib/modules/5.14.21-vbold"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
fb_grub " initcall_blacklist=sysfb_init"
lacks etc/default/grub "efifb"
end
