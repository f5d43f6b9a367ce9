#!/bin/bash
# shellcheck disable=SC2154 # here, T, work, kver and the helpers are run.sh's
# Sourced by tests/configure/run.sh: the kernel command line configure edits
# (a guide's vfio-pci.ids= taken out, intel_iommu= options kept), a
# bootloader edit nothing refreshes, and the running kernel's images as
# check and status read them (missing, truncated, garbage, a bomb).

ids=vfio-pci.ids=10de:2504,10de:228e
grub_with() { # VALUE of GRUB_CMDLINE_LINUX_DEFAULT
	printf '%s\n' "$grub_default" | sed "s|^GRUB_CMDLINE_LINUX_DEFAULT=.*|GRUB_CMDLINE_LINUX_DEFAULT=\"$1\"|" \
		>"$T/etc/default/grub"
}
journal_has() { grep -qxF -- "$1" "$T/var/lib/vfio-boot/journal" || fail "the journal lacks '$1'"; }

# ---------------------------------------------------------------- 5: guides' leftovers

begin guides-ids-taken-out-of-grub
host_tree
grub_with "quiet $ids"
cp "$T/etc/default/grub" "$work/grub.orig"
baseline
vboot --dry-run configure 10de:2504@01:00.0
rc_is 0
has out "-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet $ids\""
has out "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""
has out "warning: took $ids out of /etc/default/grub: vfio-pci would take every device with those IDs at boot, an identical host card too, even with vfio_boot.disable=1"
tree_unchanged "dry run"
vboot configure 10de:2504@01:00.0
rc_is 0
has out "warning: took $ids out of /etc/default/grub"
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
lacks etc/default/grub "vfio-pci.ids"
journal_has "dropped $ids"
# Configured again: nothing more to take out, the journal still knows it.
vboot configure 10de:2504@01:00.0
rc_is 0
has out "unchanged"
lacks out "took"
vboot unconfigure
rc_is 0
cmp -s "$T/etc/default/grub" "$work/grub.orig" || fail "grub not back byte for byte: $(cat "$T/etc/default/grub")"
tree_unchanged "unconfigure"
# One in GRUB_CMDLINE_LINUX, which configure does not edit: warned of, left.
sed -i "s|^GRUB_CMDLINE_LINUX=\"\"|GRUB_CMDLINE_LINUX=\"vfio_pci.ids=10de:2504\"|" "$T/etc/default/grub"
vboot configure 10de:2504@01:00.0
rc_is 0
has out "warning: /etc/default/grub still has vfio_pci.ids=10de:2504 outside the GRUB_CMDLINE_LINUX_DEFAULT that configure edits (in GRUB_CMDLINE_LINUX?)"
has etc/default/grub 'GRUB_CMDLINE_LINUX="vfio_pci.ids=10de:2504"'
vboot unconfigure
rc_is 0
sed -i "s|^GRUB_CMDLINE_LINUX=.*|GRUB_CMDLINE_LINUX=\"\"|" "$T/etc/default/grub"
cmp -s "$T/etc/default/grub" "$work/grub.orig" || fail "grub not back: $(cat "$T/etc/default/grub")"
# Changed since configure: only configure's edit is taken out, and the word comes back.
vboot configure 10de:2504@01:00.0
sed -i 's/^GRUB_TIMEOUT=5$/GRUB_TIMEOUT=10/' "$T/etc/default/grub"
vboot unconfigure
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet vfio-pci.ids=10de:2504,10de:228e"'
has etc/default/grub "GRUB_TIMEOUT=10"
end

begin guides-ids-every-spelling-in-kernel-cmdline
host_tree
stand_in kernel-install
rm "$T/etc/default/grub"
mkdir -p "$T/etc/kernel"
printf '%s\n' 'root=UUID=1 ro "vfio_pci.ids=10de:2504" quiet vfio-pci.ids="10de:228e" -- vfio-pci.ids=1' \
	>"$T/etc/kernel/cmdline"
cp "$T/etc/kernel/cmdline" "$work/cmdline.orig"
baseline
vboot configure 10de:2504@01:00.0
rc_is 0
grep -qx 'root=UUID=1 ro quiet intel_iommu=on iommu=pt -- vfio-pci.ids=1' "$T/etc/kernel/cmdline" ||
	fail "cmdline: $(cat "$T/etc/kernel/cmdline")"
has out "warning: took \"vfio_pci.ids=10de:2504\" out of /etc/kernel/cmdline"
has out "warning: took vfio-pci.ids=\"10de:228e\" out of /etc/kernel/cmdline"
journal_has 'dropped "vfio_pci.ids=10de:2504"'
journal_has 'dropped vfio-pci.ids="10de:228e"'
vboot unconfigure
rc_is 0
cmp -s "$T/etc/kernel/cmdline" "$work/cmdline.orig" || fail "not back byte for byte: $(cat "$T/etc/kernel/cmdline")"
tree_unchanged "unconfigure"
end

begin guides-ids-no-bootloader-edited
host_tree
grub_with "quiet $ids"
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro vfio_pci.ids=10de:2504" >"$T/proc/cmdline"
baseline
vboot configure --bootloader none --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "warning: /proc/cmdline has vfio_pci.ids=10de:2504: vfio-pci would take every device with those IDs at boot"
has out "warning: /etc/default/grub has $ids:"
has out "no bootloader is edited, so take it out yourself"
has etc/default/grub "quiet $ids"
end

begin guides-ids-grubby-and-kernelstub
host_tree
stand_in_grubby "/boot/vmlinuz-6.1:ro quiet $ids" "/boot/vmlinuz-6.2:ro quiet"
baseline
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
calls_are "grubby --info=ALL
grubby --update-kernel=/boot/vmlinuz-6.1 --remove-args $ids
grubby --update-kernel=ALL --args intel_iommu=on iommu=pt"
has out "warning: took $ids out of grubby's entry for /boot/vmlinuz-6.1"
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet intel_iommu=on iommu=pt" ] ||
	fail "6.1: $(grubby_args /boot/vmlinuz-6.1)"
no_calls
vboot unconfigure --no-regenerate
rc_is 0
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet $ids" ] || fail "6.1 after: $(grubby_args /boot/vmlinuz-6.1)"
[ "$(grubby_args /boot/vmlinuz-6.2)" = "ro quiet" ] || fail "6.2 after: $(grubby_args /boot/vmlinuz-6.2)"
rm -r "$T/usr/sbin/grubby" "$T/var/lib/fake-grubby"
stand_in_kernelstub quiet "$ids" splash
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "warning: took $ids out of kernelstub's kernel options"
[ "$(cat "$T/var/lib/fake-kernelstub")" = "quiet splash intel_iommu=on iommu=pt" ] ||
	fail "kernelstub: $(cat "$T/var/lib/fake-kernelstub")"
vboot unconfigure --no-regenerate
rc_is 0
[ "$(cat "$T/var/lib/fake-kernelstub")" = "quiet splash $ids" ] ||
	fail "kernelstub after: $(cat "$T/var/lib/fake-kernelstub")"
end

# ---------------------------------------------------------------- 6: intel_iommu= options

begin intel-iommu-options-kept
host_tree
grub_with "quiet intel_iommu=igfx_off"
cp "$T/etc/default/grub" "$work/grub.orig"
baseline
vboot configure 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on,igfx_off iommu=pt"'
journal_has "replaced-old intel_iommu=igfx_off"
journal_has "replaced-new intel_iommu=on,igfx_off"
# Configured again with another selection: the admin's option stays.
vboot configure 02:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on,igfx_off iommu=pt"'
vboot unconfigure
rc_is 0
cmp -s "$T/etc/default/grub" "$work/grub.orig" || fail "grub not back byte for byte: $(cat "$T/etc/default/grub")"
# Two words, and an "off" configure must turn on.
grub_with "intel_iommu=sm_on quiet intel_iommu=off,igfx_off"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=sm_on quiet intel_iommu=on,igfx_off iommu=pt"'
vboot unconfigure --no-regenerate
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=sm_on quiet intel_iommu=off,igfx_off"'
# grubby puts the merged word in the entry's place.
stand_in_grubby "/boot/vmlinuz-6.1:ro intel_iommu=igfx_off"
no_calls
vboot configure --bootloader grubby --no-regenerate 10de:2504@01:00.0
rc_is 0
calls_are "grubby --info=ALL
grubby --update-kernel=ALL --args iommu=pt
grubby --update-kernel=/boot/vmlinuz-6.1 --args intel_iommu=on,igfx_off"
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro iommu=pt intel_iommu=on,igfx_off" ] ||
	fail "grubby: $(grubby_args /boot/vmlinuz-6.1)"
vboot unconfigure --no-regenerate
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro intel_iommu=igfx_off" ] ||
	fail "grubby after: $(grubby_args /boot/vmlinuz-6.1)"
end

# ---------------------------------------------------------------- 8: nothing refreshes

begin grub-without-refresh-command
host_tree
rm "$T/usr/sbin/update-grub"
baseline
vboot --dry-run configure 10de:2504@01:00.0
rc_is 4
has out "warning: nothing here makes grub.cfg again from /etc/default/grub (no update-grub, grub-mkconfig or grub2-mkconfig in the tree): run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) before the next boot"
tree_unchanged "dry run"
vboot configure 10de:2504@01:00.0
rc_is 4
has out "run update-grub"
has etc/default/grub "intel_iommu=on iommu=pt"
calls_are "update-initramfs -u -k all"
no_calls
vboot unconfigure
rc_is 4
has out "run update-grub"
tree_unchanged "unconfigure"
# A grub-mkconfig is enough.
stand_in grub-mkconfig
no_calls
vboot configure 10de:2504@01:00.0
rc_is 0
lacks out "run update-grub"
calls_are "grub-mkconfig -o /boot/grub/grub.cfg
update-initramfs -u -k all"
end

begin kernel-cmdline-without-refresh
host_tree
rm "$T/etc/default/grub"
mkdir -p "$T/etc/kernel"
printf 'root=UUID=1 ro\n' >"$T/etc/kernel/cmdline"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 4
has out "nothing here makes the boot entries again from /etc/kernel/cmdline (no kernel-install, no proxmox-boot-tool in the tree): run kernel-install add KVER /boot/vmlinuz-KVER"
has etc/kernel/cmdline "intel_iommu=on"
end

# ---------------------------------------------------------------- 9: the running kernel's images

# A tree configured with a real image of the running kernel, which check finds ready.
image_tree() {
	installed_tree update-initramfs
	vboot configure 10de:2504@0000:01:00.0
	rc_is 0
	echo "root=/dev/sda1 intel_iommu=on iommu=pt" >"$T/proc/cmdline"
	image=$T/boot/initrd.img-$kver
	vboot check
	rc_is 0
}
not_ready_with() { # LINE
	vboot check
	rc_is 3
	has out "$1"
	has out "not ready"
	vboot status
	rc_is 3
}

begin check-image-missing-truncated-garbage
image_tree
head -c 300 "$image" >"$work/cut" && cat "$work/cut" >"$image"
not_ready_with "fail  image            cannot read /boot/initrd.img-$kver"
head -c 20000 /dev/urandom >"$image"
not_ready_with "fail  image            cannot read /boot/initrd.img-$kver: unknown data at byte 0"
rm "$image"
not_ready_with "fail  image            no initramfs image of kernel $kver under /boot, /efi or /boot/efi"
vboot status --json
jq -e '.as_expected == false and .images[0].path == null and .images[0].state == "missing"' \
	"$T/out" >/dev/null || fail "status --json: $(cat "$T/out")"
end

# A newc archive holding one file of 4 GiB - 1 zeros, compressed by $1 as 64
# concatenated members of 64 MiB (gzip and zstd read them as one stream).
bomb() { # TOOL
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		1 0100644 0 0 1 0 0xFFFFFFFF 0 0 0 0 2 0 a | "$1" -c
	head -c 64M /dev/zero | "$1" -c >"$work/zeros.$1"
	for _ in $(seq 64); do cat "$work/zeros.$1"; done
}

begin check-image-bomb-cut-off
image_tree
for tool in zstd gzip; do
	bomb "$tool" >"$image"
	t0=$(date +%s%N)
	not_ready_with "decompresses to more than"
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "     $tool bomb of $(stat -c %s "$image") bytes: check and status in $ms ms"
	# Cut off at 64 MiB + 16 times its size: seconds at most (unbounded: 15 s and 83 s).
	[ "$ms" -lt 10000 ] || fail "the $tool bomb took $ms ms"
done
end
