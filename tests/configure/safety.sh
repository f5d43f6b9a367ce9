#!/bin/bash
# shellcheck disable=SC2154 # here, T, work and the helpers are run.sh's
# Sourced by tests/configure/run.sh: what configure, check and list do under
# the safety rules (docs/selection.md "Safety rules") on the fixture hosts of
# tests/fixture/hosts/: exit status, message, files.

hosts=$here/../fixture/hosts
grep -v '^0000:02:00' "$here/../fixture/host.spec" >"$work/one-card.spec"

# bind_now: the binder on the tree, as at boot.
bind_now() { FAKE_ROOT=$T "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet; }
bound_count_is() {
	local got
	got=$(jq '[.devices[] | select(.result == "bound")] | length' "$T/run/vfio-boot/status.json")
	[ "$got" = "$1" ] || fail "the binder bound $got functions, want $1"
}
refused_unchanged() { # DESCRIPTION: exit 2, nothing written, nothing run
	rc_is 2
	tree_unchanged "$1"
	calls_are ""
}

# new_hardware SPEC: the tree's sys/ as SPEC describes it (a card added, removed, moved).
new_hardware() {
	rm -rf "$work/hw"
	"$mksysfs" "$work/hw" <"$1" || fail "mksysfs"
	rm -rf "$T/sys" && mv "$work/hw/sys" "$T/sys"
}
# saved_lines: the selectors of /etc/vfio-boot.conf, one per line.
saved_lines() { grep -v -e '^#' -e '=' "$T/etc/vfio-boot.conf"; }

begin user-example-one-card
host_tree "$work/one-card.spec"
# The dry run shows the lines saved: guarded, whatever form was typed.
vboot --dry-run configure 10de:2504,10de:228e
rc_is 0
has out "+10de:2504@0000:01:00.0"
has out "+10de:228e@0000:01:00.1"
! grep -qx -- "+10de:2504" "$T/out" || fail "the dry run saves the bare ID"
vboot configure 10de:2504,10de:228e
rc_is 0
has out "selected  0000:01:00.0 [10de:2504]"
has out "selected  0000:01:00.1 [10de:228e]"
has out "companion 0000:01:00.2 [10de:1ada]"
# Saved as what configure validated: each function it selected, guarded.
[ "$(saved_lines)" = "10de:2504@0000:01:00.0
10de:228e@0000:01:00.1" ] || fail "saved: $(saved_lines)"
has etc/vfio-boot.conf "companions=slot"
lacks "$own" "ids="
has "$own" "softdep nouveau pre: vfio-pci"
calls_are "update-grub 
update-initramfs -u -k all"
bind_now
bound_count_is 4
# A second, identical card goes in: the binder leaves it to the host, and
# check is ready, naming it.
new_hardware "$here/../fixture/host.spec"
rm -rf "$T/run/vfio-boot"
bind_now
bound_count_is 4
for a in 0000:02:00.0 0000:02:00.1; do
	[ "$(tail -n 1 "$T/sys/bus/pci/devices/$a/driver_override")" = "(null)" ] || fail "$a was taken"
done
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "ok    selection        10de:2504@0000:01:00.0: 0000:02:00.0 is a 10de:2504 too, and stays with the host (the address guard)"
has out "ok    selection        10de:228e@0000:01:00.1: 0000:02:00.1 is a 10de:228e too, and stays with the host"
end

begin bare-ids-saved-before-a-second-card
# /etc/vfio-boot.conf with bare IDs (an older configure, or by hand) on a
# one-card host: check says how to save them guarded; once a second
# identical card is in, the binder takes both (it honours bare IDs) and
# check is not ready, naming the card.
host_tree "$work/one-card.spec"
printf '10de:2504\n10de:228e\n' >"$T/etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "warn  selection        10de:2504 is saved without an address: a second card with this ID would go to vfio-pci at boot too; run \`vfio-boot configure 10de:2504,10de:228e\` again to save it as 10de:2504@0000:01:00.0"
new_hardware "$here/../fixture/host.spec"
vboot check
rc_is 3
has out "fail  selection        10de:2504 matches 2 cards: 0000:01:00.0, 0000:02:00.0, and vfio-boot-bind takes every one at boot; configure takes one card only when it is named: save the one for vfio-pci (vfio-boot configure 10de:2504@0000:01:00.0), or take every one with vfio-boot configure --all-matching 10de:2504"
has out "fail  selection        10de:228e matches 2 cards: 0000:01:00.1, 0000:02:00.1"
has out "not ready"
bind_now
bound_count_is 6
# Configured again as check says: saved guarded, the other card left alone.
vboot configure 10de:2504@0000:01:00.0
rc_is 0
[ "$(saved_lines)" = "10de:2504@0000:01:00.0" ] || fail "saved: $(saved_lines)"
vboot check
rc_is 0
end

begin cmdline-devices-reviewed-too
# vfio_boot.devices= on this boot's command line is the binder's selection
# too: a bare ID there that reaches two cards is not ready, though the file
# names one card; a guarded one there is fine.
host_tree
printf '10de:2504@0000:01:00.0\n' >"$T/etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on vfio_boot.devices=10de:2504" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "fail  selection        vfio_boot.devices=10de:2504 on the kernel command line matches 2 cards: 0000:01:00.0, 0000:02:00.0, and vfio-boot-bind takes every one at boot; take it off the command line and name the card in /etc/vfio-boot.conf (vfio-boot configure ID@ADDRESS)"
echo "root=/dev/sda1 intel_iommu=on vfio_boot.devices=10de:2504@0000:01:00.0" >"$T/proc/cmdline"
vboot check
rc_is 0
lacks out "vfio_boot.devices"
# A boot with binding disabled does not make the selection look wrong.
echo "root=/dev/sda1 intel_iommu=on vfio_boot.disable=1" >"$T/proc/cmdline"
vboot check
rc_is 0
end

begin card-removed-nvme-at-its-address
# configure by address (the README's cloud-init form) saves the ID with it;
# the card goes, an NVMe drive enumerates at its address: the binder takes
# nothing there and says why, check is not ready.
host_tree
vboot configure 0000:01:00.0
rc_is 0
[ "$(saved_lines)" = "10de:2504@0000:01:00.0" ] || fail "saved: $(saved_lines)"
grep -v '^0000:01:00' "$here/../fixture/host.spec" >"$work/nvme-there.spec"
echo "0000:01:00.0 144d:a808 010802 group=12 driver=nvme" >>"$work/nvme-there.spec"
new_hardware "$work/nvme-there.spec"
bind_now
bound_count_is 0
[ "$(jq -r '.devices[] | select(.address == "0000:01:00.0") | .result + ": " + .reason' \
	"$T/run/vfio-boot/status.json")" = "refused: ID guard: expected 10de:2504 at 0000:01:00.0, found 144d:a808" ] ||
	fail "status.json: $(cat "$T/run/vfio-boot/status.json")"
[ "$(tail -n 1 "$T/sys/bus/pci/devices/0000:01:00.0/driver_override")" = "(null)" ] ||
	fail "the NVMe drive was taken"
[ "$(basename "$(readlink "$T/sys/bus/pci/devices/0000:01:00.0/driver")")" = nvme ] ||
	fail "the NVMe drive lost its driver"
grep -q "vfio-boot: 0000:01:00.0 \[144d:a808\] refused: ID guard: expected 10de:2504 at 0000:01:00.0, found 144d:a808" \
	"$T/dev/kmsg" || fail "the kernel log does not say why"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "fail  selection        10de:2504@0000:01:00.0: 0000:01:00.0 now holds 144d:a808, not 10de:2504: vfio-boot-bind leaves it to the host; if the card moved, run vfio-boot configure again with its new address"
# The same file written by hand without the ID: the drive would be taken.
printf '0000:01:00.0\n' >"$T/etc/vfio-boot.conf"
vboot check
has out "warn  selection        0000:01:00.0 is saved without its ID: vfio-pci gets whatever sits there at boot, now 144d:a808 (on nvme); if that is the device for vfio-pci, run \`vfio-boot configure 0000:01:00.0\` again to save its ID with it"
end

begin check-says-a-long-command-whole
# The command that saves a selection guarded names every selector: cut short,
# it would save another selection. 45 addresses make it over 500 bytes.
"$here/../fixture/gen-spec" 128 >"$work/128.spec"
host_tree "$work/128.spec"
awk '$1 ~ /^0000:/ && $3 !~ /^06/ && $0 !~ /boot_vga=1/ { print $1 }' "$work/128.spec" |
	head -n 45 >"$T/etc/vfio-boot.conf"
want="vfio-boot configure $(paste -sd, "$T/etc/vfio-boot.conf")"
[ "${#want}" -gt 512 ] || fail "the command is only ${#want} bytes"
vboot check
has out "run \`$want\` again to save its ID with it"
vboot --json check
jq -e --arg w "$want" '[.checks[] | select(.detail | contains("`" + $w + "`"))] | length == 45' \
	"$T/out" >/dev/null || fail "check --json does not give the whole command"
end

begin user-example-two-identical-cards
host_tree
vboot configure 10de:2504,10de:228e
refused_unchanged "ambiguous IDs"
has err "vfio-boot: 10de:2504 matches 2 cards: 0000:01:00.0, 0000:02:00.0. Name the one for vfio-pci, for example 10de:2504@0000:01:00.0, or pass --all-matching to take every one"
has err "vfio-boot: 10de:228e matches 2 cards: 0000:01:00.1, 0000:02:00.1. Name the one for vfio-pci, for example 10de:228e@0000:01:00.1, or pass --all-matching to take every one"
[ "$(wc -l <"$T/err")" = 2 ] || fail "want two error lines: $(cat "$T/err")"
# The selector the message names works.
vboot configure 10de:2504@0000:01:00.0,10de:228e@0000:01:00.1
rc_is 0
bind_now
bound_count_is 4
override_is() { [ "$(tail -n 1 "$T/sys/bus/pci/devices/$1/driver_override")" = "$2" ] || fail "$1 override"; }
override_is 0000:02:00.0 "(null)"
override_is 0000:02:00.1 "(null)"
end

begin all-matching-takes-both
host_tree
vboot configure --all-matching 10de:2504
rc_is 0
has out "selected  0000:02:00.0 [10de:2504]"
has etc/vfio-boot.conf "10de:2504"
bind_now
bound_count_is 6
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "warn  selection        10de:2504 matches 2 cards, and vfio-pci gets every one, as configure --all-matching chose (name one as 10de:2504@0000:01:00.0 to leave the others to the host)"
end

begin group-companions-saved-one-by-one
# --companions group: what the group brought along is saved function by
# function, with companions=slot; a card that joins the group later is not
# taken, and check says the group is split.
printf '%s\n' "0000:01:00.0 1002:73bf 030000 group=5 driver=amdgpu" \
	"0000:01:00.1 1002:ab28 040300 group=5 driver=snd_hda_intel" \
	"0000:02:00.0 1e52:0100 120000 group=5" >"$work/group.spec"
host_tree "$work/group.spec"
vboot configure --companions group 1002:73bf
rc_is 0
has out "companion 0000:02:00.0 [1e52:0100]"
has out "note: --companions group: the functions the IOMMU groups brought along are saved one by one, with companions=slot"
[ "$(saved_lines)" = "1002:73bf@0000:01:00.0
1e52:0100@0000:02:00.0" ] || fail "saved: $(saved_lines)"
has etc/vfio-boot.conf "companions=slot"
bind_now
bound_count_is 3
cp "$work/group.spec" "$work/group-joined.spec"
echo "0000:03:00.0 10de:1e87 030000 group=5 driver=nouveau" >>"$work/group-joined.spec"
new_hardware "$work/group-joined.spec"
rm -rf "$T/run/vfio-boot"
bind_now
bound_count_is 3
[ "$(tail -n 1 "$T/sys/bus/pci/devices/0000:03:00.0/driver_override")" = "(null)" ] ||
	fail "the card that joined the group was taken"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "IOMMU group 5 also holds 0000:03:00.0, which is not selected"
end

begin boot-vga-as-example-never
# The example names a card that would be taken, not the boot VGA.
host_tree "$hosts/qemu-rig.spec"
vboot configure 1234:1111
refused_unchanged "ambiguous ID with a boot VGA"
has err "1234:1111 matches 2 cards: 0000:00:01.0, 0000:01:00.0. Name the one for vfio-pci, for example 1234:1111@0000:01:00.0, or pass --all-matching"
end

begin chipset-audio-on-intel-board
# The onboard audio shares its group with the NIC of the default route.
host_tree "$hosts/intel-desktop.spec"
vboot configure 8086:a348
refused_unchanged "chipset audio"
one_line_err
has err "vfio-boot: 0000:00:1f.3 (selected by 8086:a348) is refused, host network: IOMMU group 5 also holds 0000:00:1f.6, which carries the default route (eno1): choose another device, or pass --force if the host will not need it at the next boot"
has out "kept      0000:00:1f.6 [8086:15bc]"
vboot configure 00:1f.6
refused_unchanged "the host's NIC"
has err "0000:00:1f.6 (selected by 00:1f.6) is refused, host network: it carries the default route (eno1)"
# Without the route, the split group is what refuses it.
rm "$T/proc/net/route"
vboot configure 8086:a348
refused_unchanged "split chipset group"
one_line_err
has err "vfio-boot: IOMMU group 5 would be split: 0000:00:1f.3 goes to vfio-pci, but 0000:00:1f.4, 0000:00:1f.5, 0000:00:1f.6 would stay with host drivers. Add them: vfio-boot configure 8086:a348,0000:00:1f.4,0000:00:1f.5,0000:00:1f.6, or pass --force to split it anyway"
vboot configure --force 8086:a348
rc_is 0
has out "warning: --force: IOMMU group 5 stays split: 0000:00:1f.3 goes to vfio-pci, 0000:00:1f.4, 0000:00:1f.5, 0000:00:1f.6 stay with the host"
has out "kept      0000:00:1f.6 [8086:15bc] Intel Corporation Ethernet Connection (7) I219-V: kept for the host: chipset network controller (on the root bus), select it by address to pass it through"
has "$own" "softdep snd_hda_intel pre: vfio-pci"
lacks "$own" "e1000e"
lacks "$own" "ids="
echo "root=/dev/sda2 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "fail  group            0000:00:1f.3: IOMMU group 5 also holds 0000:00:1f.4 (kept for the host), 0000:00:1f.5 (kept for the host), 0000:00:1f.6 (kept for the host)"
has out "ok    companion        0000:00:1f.6 stays with the host: kept for the host: chipset network controller"
bind_now
bound_count_is 1
end

begin amd-chipset-group
host_tree "$hosts/amd-500.spec"
vboot configure 10de:1b81
refused_unchanged "GPU in the group of the host NIC"
has err "0000:04:00.0 (selected by 10de:1b81) is refused, host network: IOMMU group 15 also holds 0000:05:00.0, which carries the default route (enp5s0)"
rm "$T/proc/net/route"
vboot configure --companions group --blacklist 10de:1b81
refused_unchanged "group with SATA and USB"
has err "IOMMU group 15 would be split: 0000:04:00.0 goes to vfio-pci, but 0000:05:00.0, 0000:06:00.0, 0000:06:00.1, 0000:06:00.3, 0000:07:00.0 would stay with host drivers."
has out "kept      0000:07:00.0 [1022:7901]"
has out "kept for the host: IOMMU group 15 cannot be taken whole, 0000:05:00.0 (network controller) must stay"
vboot configure --force --companions group --blacklist 10de:1b81
rc_is 0
has out "warning: --force: IOMMU group 15 stays split"
for m in ahci igb xhci_pci; do lacks "$own" "$m"; done
has "$own" "blacklist nouveau"
echo "root=/dev/nvme0n1p2 amd_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
# Saved as validated: the group could not be taken whole, so nothing of it is
# listed, and companions=slot keeps it so should the blocking NIC go.
[ "$(saved_lines)" = "10de:1b81@0000:04:00.0" ] || fail "saved: $(saved_lines)"
has etc/vfio-boot.conf "companions=slot"
has out "fail  group            0000:04:00.0: IOMMU group 15 also holds 0000:05:00.0 (not selected), 0000:06:00.0 (not selected), 0000:06:00.1 (not selected), 0000:06:00.3 (not selected), 0000:07:00.0 (not selected)"
end

begin navi-behind-switch
host_tree "$hosts/navi-switch.spec"
vboot configure 1002:73bf
rc_is 0
has out "selected  0000:0d:00.0 [1002:73bf]"
has out "companion 0000:0d:00.1 [1002:ab28]"
lacks out "0000:0c:00.0"
has "$own" "softdep amdgpu pre: vfio-pci"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "ok    group            0000:0d:00.0: IOMMU group 20 is viable"
has out "ok    group            0000:0d:00.1: IOMMU group 21 is viable"
end

begin datacentre-server
host_tree "$hosts/gpu-server.spec"
vboot list
rc_is 0
has out "0000:5e:00.0 Non-Volatile memory controller [0108]"
has out "(host disk: /)"
has out "0000:5d:00.0 Ethernet controller [0200]"
has out "(host network: bond0)"
vboot list --json
jq -e '(.devices[] | select(.address == "0000:5e:00.0") | .host_disk == ["/"]) and
	(.devices[] | select(.address == "0000:5d:00.1") | .host_network == ["bond0"]) and
	(.devices[] | select(.address == "0000:18:00.0") | .host_disk == [] and .host_network == [])' \
	"$T/out" >/dev/null || fail "list --json host marks"
vboot configure 1a03:2000
refused_unchanged "the BMC's VGA"
has err "1a03:2000 selects nothing for vfio-pci: every match is refused (0000:02:00.0: boot VGA device: it drives the host console (boot-vga=allow takes it)); pass --boot-vga allow to take the boot VGA device and its card"
vboot configure 5d:00.1
refused_unchanged "a port of the bonded NIC"
has err "0000:5d:00.1 (selected by 5d:00.1) is refused, host network: it carries the default route (bond0)"
vboot configure 10de:20b5,10de:1eb8
rc_is 0
has out "selected  0000:18:00.0 [10de:20b5]"
has out "selected  0000:3b:00.0 [10de:1eb8]"
vboot check
has out "ok    host-devices     0000:5e:00.0 holds the root filesystem (/)"
has out "ok    host-devices     0000:5d:00.0 carries the default route (bond0)"
has out "ok    group            0000:18:00.0: IOMMU group 11 is viable"
end

begin gpu-groups-with-storage
host_tree "$hosts/shared-groups.spec"
vboot configure 01:00.0
refused_unchanged "GPU group with SATA"
has err "IOMMU group 1 would be split: 0000:01:00.0 goes to vfio-pci, but 0000:02:00.0 would stay with host drivers. Add it: vfio-boot configure 01:00.0,0000:02:00.0, or pass --force to split it anyway"
vboot configure 05:00.0
refused_unchanged "GPU group with the root disk"
one_line_err
has err "0000:05:00.0 (selected by 05:00.0) is refused, host disk: IOMMU group 5 also holds 0000:06:00.0, which holds the root filesystem (/): choose another device"
vboot configure 09:00.0
refused_unchanged "NIC under a bridge"
has err "host network: it carries the default route (br0)"
vboot list
has out "(host disk: /, /boot)"
has out "(host network: br0)"
printf '05:00.0\n' >"$T/etc/vfio-boot.conf"
echo "root=/dev/mapper/vg-root intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "fail  device           0000:05:00.0 selected by 05:00.0, then refused: host disk (host disk: IOMMU group 5 also holds 0000:06:00.0, which holds the root filesystem (/)); vfio-boot-bind would take it at boot"
rm "$T/etc/vfio-boot.conf"
snapshot_tree >"$work/$current.before"
# The explicit fix: the SATA controller named too.
vboot configure 01:00.0,02:00.0
rc_is 0
has out "selected  0000:02:00.0 [1b21:0612]"
# --force takes the GPU all the same, and says so twice.
vboot configure --force 05:00.0
rc_is 0
has out "warning: --force: 0000:05:00.0 goes to vfio-pci at the next boot although host disk: IOMMU group 5 also holds 0000:06:00.0"
has out "warning: --force: IOMMU group 5 stays split: 0000:05:00.0 goes to vfio-pci, 0000:06:00.0 stays with the host"
end

begin boot-vga-card
host_tree "$hosts/bootvga-card.spec"
vboot configure 10de:228e
refused_unchanged "audio of the boot GPU"
has out "refused   0000:01:00.1 [10de:228e]"
has err "10de:228e selects nothing for vfio-pci: every match is refused (0000:01:00.1: card kept whole: 0000:01:00.0 stays with the host (boot VGA device: it drives the host console (boot-vga=allow takes it))); pass --boot-vga allow"
printf '10de:228e\n' >"$T/etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
rc_is 3
has out "warn  device           0000:01:00.1 selected by 10de:228e, then refused: boot VGA (card kept whole: 0000:01:00.0 stays with the host"
has out "fail  selection        10de:228e selects nothing for vfio-pci: every match is refused"
rm "$T/etc/vfio-boot.conf"
vboot configure 10de:1e87
rc_is 0
has out "companion 0000:02:00.3 [10de:1ad9]"
end

begin group-with-the-boot-gpu
# Two cards in one IOMMU group, one of them the boot GPU: no selection mends it.
printf '%s\n' "0000:01:00.0 10de:2504 030000 group=1 driver=nouveau boot_vga=1" \
	"0000:01:00.1 10de:228e 040300 group=1 driver=snd_hda_intel" \
	"0000:02:00.0 10de:1e87 030000 group=1 driver=nouveau" \
	"0000:02:00.1 10de:10f8 040300 group=1 driver=snd_hda_intel" >"$work/two-in-a-group.spec"
host_tree "$work/two-in-a-group.spec"
vboot configure 10de:1e87
refused_unchanged "a group with the boot GPU"
one_line_err
has err "IOMMU group 1 would be split: 0000:02:00.0 goes to vfio-pci, but 0000:01:00.0 must stay with the host (boot VGA device: it drives the host console (boot-vga=allow takes it)), so the group cannot be taken whole: move the card to another slot, or pass --force to split it anyway"
end

begin companions-none-splits
host_tree
vboot configure --companions none 01:00.0
refused_unchanged "companions none on a 4-function card"
has err "IOMMU group 12 would be split: 0000:01:00.0 goes to vfio-pci, but 0000:01:00.1, 0000:01:00.2, 0000:01:00.3 would stay with host drivers. Add them: vfio-boot configure 01:00.0,0000:01:00.1,0000:01:00.2,0000:01:00.3, or pass --force to split it anyway"
vboot configure --companions none 01:00.0,0000:01:00.1,0000:01:00.2,0000:01:00.3
rc_is 0
end

begin every-match-refused
host_tree
vboot configure 8086:3e92
refused_unchanged "the boot VGA"
has err "8086:3e92 selects nothing for vfio-pci: every match is refused (0000:00:02.0: boot VGA device"
vboot configure 00:01.0
refused_unchanged "a bridge"
has err "00:01.0 selects nothing for vfio-pci: every match is refused (0000:00:01.0: PCI bridge: bridges are never bound); select the devices behind the bridge instead"
vboot configure 10de:2504@03:00.0
refused_unchanged "ID guard"
has err "ID guard: expected 10de:2504 at 0000:03:00.0, found 8086:1533"
vboot configure --boot-vga allow 8086:3e92
rc_is 0
end

begin guide-ids-line-commented-out
host_tree
mkdir -p "$T/etc/modprobe.d"
printf 'options vfio-pci ids=10de:2504,10de:228e disable_vga=1\nsoftdep nvidia pre: vfio-pci\n' \
	>"$T/etc/modprobe.d/vfio.conf"
snapshot_tree >"$work/$current.before"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
has out "warn  vfio-pci-ids     /etc/modprobe.d/vfio.conf:1 sets 'options vfio-pci ids=': vfio-pci takes every device with those IDs, even with vfio_boot.disable=1"
vboot --dry-run configure 10de:2504@01:00.0
rc_is 0
has out "-options vfio-pci ids=10de:2504,10de:228e disable_vga=1"
has out "+#options vfio-pci ids=10de:2504,10de:228e disable_vga=1"
has out "+options vfio-pci disable_vga=1"
has out " softdep nvidia pre: vfio-pci"
has out "note: commented out 'options vfio-pci ids=10de:2504,10de:228e disable_vga=1' in /etc/modprobe.d/vfio.conf"
tree_unchanged "dry run"
vboot configure 10de:2504@01:00.0
rc_is 0
has etc/modprobe.d/vfio.conf "# vfio-boot: commented out. vfio-pci would take every device with these"
grep -q '^options vfio-pci ids' "$T/etc/modprobe.d/vfio.conf" && fail "an ids= line is left"
vboot check
lacks out "vfio-pci-ids"
: >"$T/var/log/calls"
vboot configure 10de:2504@01:00.0
has out "unchanged"
vboot unconfigure
tree_unchanged "unconfigure after a guide's file"
end

begin ids-lines-wrapped-long-or-elsewhere
# modprobe joins a line that ends in a backslash with the next, and reads
# every file of modprobe.d: an ids= option on a continued line, on a long
# line, or in another file defeats vfio_boot.disable=1 all the same.
host_tree
mkdir -p "$T/etc/modprobe.d"
long=$(for i in $(seq 1 120); do printf '10de:%04x,' "$i"; done)
{ printf 'options vfio-pci \\\n  ids=10de:2504 disable_vga=1\n'
  printf 'options vfio-pci ids=%s10de:2504\n' "$long"
  printf '# a comment \\\noptions vfio-pci ids=10de:228e\n'; } >"$T/etc/modprobe.d/vfio.conf"
printf 'options vfio_pci ids=10de:228e\n' >"$T/etc/modprobe.d/gpu.conf"
snapshot_tree >"$work/$current.before"
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
vboot check
has out "/etc/modprobe.d/vfio.conf:1 sets 'options vfio-pci ids='"
has out "/etc/modprobe.d/vfio.conf:3 sets 'options vfio-pci ids='"
lacks out "/etc/modprobe.d/vfio.conf:4 sets"
has out "/etc/modprobe.d/gpu.conf:1 sets 'options vfio-pci ids='"
vboot configure 10de:2504@01:00.0
rc_is 0
# What modprobe reads: continuations joined, comments dropped.
effective=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$T/etc/modprobe.d/vfio.conf" | grep -v '^[[:space:]]*#')
! printf '%s\n' "$effective" | grep -q 'ids=' || fail "an ids= option is left: $effective"
printf '%s\n' "$effective" | grep -q '^options vfio-pci disable_vga=1$' || fail "disable_vga=1 lost: $effective"
has out "warning: /etc/modprobe.d/gpu.conf:1 sets 'options vfio-pci ids='"
vboot check
lacks out "/etc/modprobe.d/vfio.conf"
has out "/etc/modprobe.d/gpu.conf:1 sets 'options vfio-pci ids='"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin earlier-ids-line-removed
# What an earlier configure wrote into the file it manages.
host_tree
mkdir -p "$T/etc/modprobe.d" "$T/var/lib/vfio-boot"
printf '%s\n' "# Written by \`vfio-boot configure\`; \`vfio-boot unconfigure\` restores what was here." \
	"# vfio-pci claims these IDs: every device carrying them is selected." \
	"options vfio-pci ids=10de:2504,10de:228e" "softdep nouveau pre: vfio-pci" \
	>"$T/etc/modprobe.d/vfio.conf"
vboot --dry-run configure 10de:2504@01:00.0
rc_is 0
has out "-options vfio-pci ids=10de:2504,10de:228e"
lacks out "+#options"
end

begin kernel-cmdline-ids-warned
host_tree
echo "root=/dev/sda1 intel_iommu=on vfio-pci.ids=10de:2504" >"$T/proc/cmdline"
vboot check
has out "warn  vfio-pci-ids     /proc/cmdline has vfio-pci.ids=: vfio-pci takes every device with those IDs, even with vfio_boot.disable=1"
end

begin status-on-a-disabled-boot
host_tree
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
echo "root=/dev/sda1 vfio_boot.disable=1" >"$T/proc/cmdline"
bind_now
vboot status
rc_is 3
has out "binding was disabled on this boot: vfio_boot.disable=1 is on the kernel command line, so vfio-boot-bind left every device to its host driver"
has out "0000:01:00.0   10de:2504   vfio-pci   nouveau        binding disabled on this boot (vfio_boot.disable=1)"
vboot status --json
jq -e '.disabled == true and (.functions | length == 4) and .as_expected == false' "$T/out" \
	>/dev/null || fail "status --json on a disabled boot"
end

begin host-disks-behind-nvme-multipath-and-btrfs
# Two stacks the kernel does not show with slaves/: a namespace of an NVMe
# drive with native multipath (enterprise U.2 drives) lives under
# devices/virtual/nvme-subsystem/, its controllers linked from the
# subsystem; a btrfs filesystem over two disks (RAID1) names only one of
# them in mountinfo, the others in sys/fs/btrfs/FSID/devices/. Every one of
# those controllers holds the host's disk.
printf '%s\n' "0000:01:00.0 10de:2504 030000 group=1 driver=nouveau" \
	"0000:02:00.0 144d:a824 010802 group=2 driver=nvme" \
	"0000:03:00.0 144d:a80a 010802 group=3 driver=nvme" \
	"0000:04:00.0 144d:a80a 010802 group=4 driver=nvme" \
	"!block nvme1n1 259:10 0000:03:00.0" "!block nvme1n1p2 259:12 nvme1n1" \
	"!block nvme2n1 259:20 0000:04:00.0" "!block nvme2n1p1 259:21 nvme2n1" \
	"!mount / 0:35 btrfs /dev/nvme1n1p2" "!mount /boot 259:2 ext4 /dev/nvme0n1p2" \
	>"$work/stacks.spec"
host_tree "$work/stacks.spec"
subsys=devices/virtual/nvme-subsystem/nvme-subsys0
mkdir -p "$T/sys/$subsys/nvme0n1/nvme0n1p2" "$T/sys/devices/pci0000:00/0000:02:00.0/nvme/nvme0" \
	"$T/sys/class/nvme-subsystem" "$T/sys/fs/btrfs/5f3e/devices"
ln -s ../../../pci0000:00/0000:02:00.0/nvme/nvme0 "$T/sys/$subsys/nvme0"
ln -s "../../$subsys" "$T/sys/class/nvme-subsystem/nvme-subsys0"
ln -s "../../$subsys/nvme0n1/nvme0n1p2" "$T/sys/class/block/nvme0n1p2"
ln -s "../../$subsys/nvme0n1/nvme0n1p2" "$T/sys/dev/block/259:2"
for b in nvme1n1p2 nvme2n1p1; do
	ln -s "../../../../$(readlink "$T/sys/class/block/$b" | sed 's|^\(\.\./\)*||')" \
		"$T/sys/fs/btrfs/5f3e/devices/$b"
done
snapshot_tree >"$work/$current.before"
vboot list
has out "[144d:a824] (host disk: /boot)"
has out "[144d:a80a] (host disk: /)"
lacks out "no PCI device found"
for a in 02:00.0 03:00.0 04:00.0; do
	vboot configure "$a"
	refused_unchanged "a controller of the host's disk: $a"
	has err "is refused, host disk: it holds"
done
end

begin host-devices-hostile
# A dm device that stacks on itself, and then a FIFO for mountinfo: list still
# answers at once, saying what it could not trace.
printf '%s\n' "0000:01:00.0 10de:2504 030000 group=1 driver=nouveau" \
	"!block dm-0 253:0 virtual" "!mount / 253:0 ext4 /dev/mapper/x" >"$work/loop.spec"
host_tree "$work/loop.spec"
mkdir -p "$T/sys/devices/virtual/block/dm-0/slaves"
ln -s ../../dm-0 "$T/sys/devices/virtual/block/dm-0/slaves/dm-0"
timeout 20 "$vb" --root "$T" list >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 0
has out "note: / (ext4 /dev/mapper/x): no PCI device found behind it"
rm "$T/proc/self/mountinfo"
mkfifo "$T/proc/self/mountinfo"
timeout 20 "$vb" --root "$T" list >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 0
has out "note: cannot read /proc/self/mountinfo (not a regular file"
end

begin check-command-keeps-the-file-and-only-the-file
# The command check gives to save a selection guarded is what the file holds,
# its other lines included (configure writes only what it is given), and not
# the selectors of this boot's command line (configure would save them).
host_tree
printf '%s\n' 0000:01:00.0 "reset_method=bus@0000:01:00.0" preload=vendor-reset,snd-hda-intel \
	>"$T/etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on vfio_boot.devices=10de:2504@0000:02:00.0" >"$T/proc/cmdline"
vboot check
want='vfio-boot configure --reset-method bus@0000:01:00.0 --preload vendor-reset,snd-hda-intel 0000:01:00.0'
has out "run \`$want\` again to save its ID with it"
# Run as said, it saves the ID and keeps the other lines, and nothing more.
# shellcheck disable=SC2086 # the words of the command
vboot ${want#vfio-boot }
rc_is 0
[ "$(saved_lines)" = 10de:2504@0000:01:00.0 ] || fail "saved: $(saved_lines)"
has etc/vfio-boot.conf "reset_method=bus@10de:2504@0000:01:00.0"
has etc/vfio-boot.conf "preload=vendor-reset,snd-hda-intel"
end
