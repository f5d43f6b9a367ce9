#!/bin/bash
# shellcheck disable=SC2154 # here, T, work, kver, kdir and the helpers are run.sh's
# Sourced by tests/configure/run.sh: vfio-pci variant drivers found in the
# installed kernels' vfio_pci: aliases (a Grace Hopper GPU, an mlx5 VF),
# driver=vfio-pci over them, reset_method= and preload=.

# The example host with a Grace Hopper GPU and an mlx5 VF, each alone in its group.
variant_spec() {
	cat "$here/../fixture/host.spec"
	echo "0009:01:00.0 10de:2342 030200 group=30"
	echo "0000:06:00.0 15b3:101e 020000 group=31 driver=mlx5_core"
}
# A second kernel whose modules declare variant aliases, indexed by the real
# depmod: each module is a copy of a small one whose .modinfo names only its
# alias (PCI_DRIVER_OVERRIDE_DEVICE_VFIO entries become "vfio_pci:" aliases).
vkv=6.8.0-vbvariant
variant_kernel() {
	local d=$T/lib/modules/$vkv/kernel m
	mkdir -p "$d"
	set -- nvgrace_gpu_vfio_pci 'vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*' \
		mlx5_vfio_pci 'vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*'
	while [ $# -gt 0 ]; do
		m=$(find "$kdir/kernel" -name 'crc7.ko*' | head -n 1)
		case $m in
		*.ko) cp "$m" "$d/$1.ko" ;;
		*.ko.xz) xz -dc "$m" >"$d/$1.ko" ;;
		*.ko.zst) zstd -qdc "$m" >"$d/$1.ko" ;;
		*) fail "no crc7.ko in $kdir" ;;
		esac
		printf 'license=GPL\0alias=%s\0depends=\0name=%s\0' "$2" "$1" >"$work/modinfo"
		objcopy --update-section .modinfo="$work/modinfo" "$d/$1.ko" || fail "objcopy"
		shift 2
	done
	printf 'kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/pci/vfio-pci.ko\n' \
		>"$T/lib/modules/$vkv/modules.builtin"
	depmod -b "$T" "$vkv" 2>/dev/null || fail "depmod"
	grep -q "^alias vfio_pci:v000010DEd00002342.* nvgrace_gpu_vfio_pci$" \
		"$T/lib/modules/$vkv/modules.alias" || fail "depmod wrote no vfio_pci: alias"
}
variant_tree() { host_tree <(variant_spec); variant_kernel; baseline; }

begin variant-list
variant_tree
vboot list
rc_is 0
has out "vfio-pci variant: nvgrace_gpu_vfio_pci ($vkv)"
has out "vfio-pci variant: mlx5_vfio_pci ($vkv)"
# vfio_pci's own catch-all vfio_pci: alias (every kernel has it) is no variant.
[ "$(grep -c "vfio-pci variant" "$T/out")" = 2 ] || fail "variants: $(grep "variant" "$T/out")"
vboot list --json
jq -e --arg k "$vkv" '[.devices[] | select(.variant != null) | [.address, .variant, .variant_kernels]]
	== [["0009:01:00.0", "nvgrace_gpu_vfio_pci", [$k]], ["0000:06:00.0", "mlx5_vfio_pci", [$k]]]' \
	"$T/out" >/dev/null || fail "list --json: $(jq -c '[.devices[] | .variant]' "$T/out")"
end

begin variant-configure-saves-driver
variant_tree
vboot configure --no-regenerate 10de:2342@0009:01:00.0 15b3:101e@0000:06:00.0 01:00.0
rc_is 0
has out "0009:01:00.0 goes to the vfio-pci variant nvgrace_gpu_vfio_pci (its vfio_pci: alias in $vkv); vfio-pci takes it under $kver, which lack it"
has etc/vfio-boot.conf "driver=nvgrace_gpu_vfio_pci@10de:2342@0009:01:00.0  # vfio_pci: alias in $vkv"
has etc/vfio-boot.conf "driver=mlx5_vfio_pci@15b3:101e@0000:06:00.0"
lacks etc/vfio-boot.conf "@0000:01:00.0  #"
# The binder reads the saved file: what the hooks put in the image.
[ "$(FAKE_ROOT=$T "$bind" --root "$T" --print-modules)" = "mlx5_vfio_pci
nvgrace_gpu_vfio_pci" ] || fail "--print-modules: $(FAKE_ROOT=$T "$bind" --root "$T" --print-modules 2>&1)"
end

begin variant-driver-vfio-pci-overrides
variant_tree
vboot configure --no-regenerate --driver vfio-pci 10de:2342@0009:01:00.0 15b3:101e@0000:06:00.0
rc_is 0
has etc/vfio-boot.conf "driver=vfio-pci"
lacks etc/vfio-boot.conf "driver=nvgrace"
lacks etc/vfio-boot.conf "driver=mlx5"
has out "0009:01:00.0: the variant nvgrace_gpu_vfio_pci (vfio_pci: alias in $vkv) is not used"
# Per selector: the GPU on vfio-pci, the VF on its variant.
vboot configure --no-regenerate --driver vfio-pci@0009:01:00.0 10de:2342@0009:01:00.0 \
	15b3:101e@0000:06:00.0
rc_is 0
has etc/vfio-boot.conf "driver=vfio-pci@10de:2342@0009:01:00.0"
lacks etc/vfio-boot.conf "driver=nvgrace"
has etc/vfio-boot.conf "driver=mlx5_vfio_pci@15b3:101e@0000:06:00.0"
# A driver= that names nothing the selection takes is refused, nothing written.
baseline
vboot configure --no-regenerate --driver vfio-pci@0000:03:00.0 10de:2342@0009:01:00.0
rc_is 2
has err "names no function the selection takes"
tree_unchanged "refused --driver"
end

begin variant-reset-and-preload
variant_tree
echo "flr bus" >"$T/sys/bus/pci/devices/0000:01:00.0/reset_method"
vboot configure --no-regenerate --reset-method bus@01:00.0 --preload vendor-reset 01:00.0
rc_is 0
has etc/vfio-boot.conf "reset_method=bus@10de:2504@0000:01:00.0"
has etc/vfio-boot.conf "preload=vendor-reset"
has out "preload=vendor-reset: no installed kernel has this module"
# A method the device does not offer now: saved, and said.
vboot configure --no-regenerate --reset-method device_specific@01:00.0 01:00.0
rc_is 0
has out "0000:01:00.0 offers reset methods 'flr bus' now, not device_specific"
has out "preload=vendor-reset"
vboot configure --no-regenerate --reset-method Bus@01:00.0 01:00.0
rc_is 2
has err "reset_method=Bus@01:00.0: not a method name"
end

begin variant-status
# status expects the driver the binder gave each function (the boot report's
# "driver": a variant's own name), and shows the reset methods it wrote.
variant_tree
echo "flr bus" >"$T/sys/bus/pci/devices/0000:01:00.0/reset_method"
vboot configure --no-regenerate --reset-method bus@01:00.0 10de:2342@0009:01:00.0 01:00.0
rc_is 0
FAKE_ROOT=$T FAKE_VARIANTS=nvgrace_gpu_vfio_pci:nvgrace-gpu-vfio-pci \
	"$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
jq -e '.devices[] | select(.address == "0009:01:00.0") | .driver == "nvgrace-gpu-vfio-pci"' \
	"$T/run/vfio-boot/status.json" >/dev/null || fail "status.json: no variant driver"
# The fixture's variant binds nothing by itself: the kernel's probe, played here.
ln -s ../../../bus/pci/drivers/nvgrace-gpu-vfio-pci "$T/sys/bus/pci/devices/0009:01:00.0/driver"
vboot status
rc_is 0
has out "0009:01:00.0   10de:2342   nvgrace-gpu-vfio-pci nvgrace-gpu-vfio-pci"
has out "reset_method bus"
vboot status --json
jq -e '[.functions[] | select(.address == "0009:01:00.0" or .address == "0000:01:00.0")
	| [.expected, .actual, .as_expected, .reset_method]]
	== [["vfio-pci", "vfio-pci", true, "bus"],
	    ["nvgrace-gpu-vfio-pci", "nvgrace-gpu-vfio-pci", true, null]]' "$T/out" >/dev/null ||
	fail "status --json: $(jq -c '.functions' "$T/out")"
end

begin reset-bug-check
# An AMD Polaris card (1002:67df) taken: check says what it needs, then that
# it has it.
host_tree <(cat "$here/../fixture/host.spec"
	echo "0000:05:00.0 1002:67df 030000 group=40 driver=amdgpu"
	echo "0000:05:00.1 1002:aaf0 040300 group=40 driver=snd_hda_intel")
vboot configure --no-regenerate 1002:67df@05:00.0
rc_is 0
vboot check
has out "0000:05:00.0 is an AMD Polaris 10, known for the reset bug: install vendor-reset (DKMS) and configure with --preload vendor-reset --reset-method device_specific@1002:67df@0000:05:00.0"
lacks out "0000:05:00.1 is an AMD"
vboot configure --no-regenerate --preload vendor-reset --reset-method device_specific,bus@05:00.0 \
	1002:67df@05:00.0
rc_is 0
has etc/vfio-boot.conf "reset_method=device_specific,bus@1002:67df@0000:05:00.0"
vboot check
has out "0000:05:00.0 (Polaris 10): vendor-reset preloaded, reset_method device_specific bus"
lacks out "known for the reset bug"
# An NVIDIA card is no AMD reset-bug card.
vboot configure --no-regenerate 10de:2504@01:00.0
vboot check
lacks out "reset bug"
end

# The image read back after a rebuild must carry the modules the binder loads
# (vfio-pci, a preload= module, a driver= variant) that its kernel has as .ko
# files, and every module they depend on.
# images_have_modules [FILE...]: the stand-in generator writes the kernel's
# modules.dep into the image (as every generator does), and each FILE under it.
# vfio: the files of vfio-pci and of every module it needs in the installed
# kernel's modules.dep (what the hook's manual_add_modules vfio-pci adds).
mapfile -t vfio < <(awk -F': ' '$1 ~ /\/vfio-pci\.ko/ {
	n = split($1 " " $2, f, " "); for (i = 1; i <= n; i++) { sub(".*/", "", f[i]); print f[i] } }' \
	"$kdir/modules.dep")
images_have_modules() {
	local f
	{
		printf '%s\n' "m=\$d/usr/lib/modules/$kver" "\$b mkdir -p \$m/kernel && : >\$m/modules.dep"
		for f in "$@"; do printf '%s\n' ": >\$m/kernel/$f"; done
	} >"$T/image-extra"
}

begin image-lacking-a-module-rolls-back
installed_tree update-initramfs
images_have_modules "${vfio[@]}"
vboot configure --preload snd-hda-intel,vendor-reset 10de:2504@0000:01:00.0
rc_is 1
has err "vfio-boot: /boot/initrd.img-$kver, just rebuilt, lacks the module snd_hda_intel (named in /etc/vfio-boot.conf)"
# vendor-reset is no module of this kernel: nothing to carry.
lacks err "vendor_reset"
has err "putting the files back"
tree_unchanged "configure whose image lacks a module"
end

begin image-carrying-the-modules
installed_tree update-initramfs
# The stand-in generator adds the modules, as the hook's manual_add_modules
# does. crypto-des3_ede-asm is an alias: the image carries the module it
# names, des3_ede-x86_64.
images_have_modules "${vfio[@]}" snd-hda-intel.ko.xz des3_ede-x86_64.ko
vboot configure --preload snd-hda-intel,crypto-des3_ede-asm 10de:2504@0000:01:00.0
rc_is 0
has out "checked: /boot/initrd.img-$kver carries the binder, its hook and /etc/vfio-boot.conf"
printf '%s\n' "$kver" >"$T/proc/sys/kernel/osrelease"
vboot status
rc_is 3 # nothing bound: no boot since
has out "image: /boot/initrd.img-$kver (initramfs-tools) carries the binder, its hook and /etc/vfio-boot.conf as configured"
# An image rebuilt without it (a hook that failed to add it): status says so.
images_have_modules "${vfio[@]}"
chroot "$T" /bin/sh /usr/sbin/update-initramfs -u >/dev/null || fail "the stand-in generator failed"
vboot status
rc_is 3
has out "image: /boot/initrd.img-$kver (initramfs-tools) lacks the module snd_hda_intel (named in /etc/vfio-boot.conf), the module des3_ede_x86_64 (named in /etc/vfio-boot.conf): the binder cannot load them at boot"
end

begin image-lacking-what-vfio-pci-needs
# vfio-pci itself, and the modules it depends on, are checked as a preload= is:
# an image without vfio-pci-core cannot load vfio-pci at boot.
[ "${#vfio[@]}" -gt 1 ] || fail "no vfio-pci with its dependencies in $kdir/modules.dep"
installed_tree update-initramfs
# libkmod reads a module's dependencies only where their files are there.
awk -F': ' '$1 ~ /\/vfio-pci\.ko/ { n = split($1 " " $2, f, " "); for (i = 1; i <= n; i++) print f[i] }' \
	"$kdir/modules.dep" | while read -r f; do
	mkdir -p "$T/lib/modules/$kver/${f%/*}" && : >"$T/lib/modules/$kver/$f"
done
baseline
mapfile -t some < <(printf '%s\n' "${vfio[@]}" | grep -v '^vfio-pci-core\.')
images_have_modules "${some[@]}"
vboot configure 10de:2504@0000:01:00.0
rc_is 1
has err "vfio-boot: /boot/initrd.img-$kver, just rebuilt, lacks the module vfio_pci_core (vfio_pci needs it)"
has err "putting the files back"
tree_unchanged "configure whose image lacks vfio_pci_core"
images_have_modules
vboot configure 10de:2504@0000:01:00.0
rc_is 1
has err "lacks the module vfio_pci (the binder loads it), "
has err "the module vfio_pci_core (vfio_pci needs it)"
images_have_modules "${vfio[@]}"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "checked: /boot/initrd.img-$kver carries the binder, its hook and /etc/vfio-boot.conf"
end

begin image-lacking-the-variant
# The driver= half: the image of the kernel that has the GPU's variant as a
# .ko must carry it. status reads the saved file against the image.
installed_tree update-initramfs
variant_kernel
sed -i "s/$kver/$vkv/g" "$T/usr/sbin/update-initramfs"
printf '%s\n' "$vkv" >"$T/proc/sys/kernel/osrelease"
printf '%s\n' 10de:2504@0000:01:00.0 "driver=nvgrace_gpu_vfio_pci@10de:2504@0000:01:00.0" \
	>"$T/etc/vfio-boot.conf"
kver=$vkv images_have_modules
chroot "$T" /bin/sh /usr/sbin/update-initramfs -u >/dev/null || fail "the stand-in generator failed"
vboot status
has out "image: /boot/initrd.img-$vkv (initramfs-tools) lacks the module nvgrace_gpu_vfio_pci (named in /etc/vfio-boot.conf): the binder cannot load it at boot"
kver=$vkv images_have_modules nvgrace-gpu-vfio-pci.ko
chroot "$T" /bin/sh /usr/sbin/update-initramfs -u >/dev/null || fail "the stand-in generator failed"
vboot status
has out "image: /boot/initrd.img-$vkv (initramfs-tools) carries the binder, its hook and /etc/vfio-boot.conf as configured"
end
