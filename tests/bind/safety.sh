#!/bin/bash
# shellcheck disable=SC2154 # here, T and the helpers are run.sh's
# Sourced by tests/bind/run.sh: what the binder does under the safety rules
# (docs/selection.md "Safety rules") on the fixture hosts of tests/fixture/hosts/.

fixture_host() { cat "$here/../fixture/hosts/$1.spec"; }
reason_has() {
	local got
	got=$(jq -r --arg a "$1" '.devices[] | select(.address == $a) | .reason' \
		"$T/run/vfio-boot/status.json" 2>&1)
	case $got in *"$2"*) ;; *) fail "status.json $1 .reason is '$got', lacks '$2'" ;; esac
}
untouched() { # ADDR DRIVER: still on its driver, no override
	driver_is "$1" "$2"
	override_is "$1" "(null)"
}

begin chipset-audio-leaves-the-chipset
# Intel board: the onboard audio selected; the SMBus, the SPI flash controller
# and the I219-V of slot 00:1f stay where they are.
fixture_host intel-desktop | tree
conf "8086:a348"
bind --strict
rc_is 0
status 0000:00:1f.3 result bound
driver_is 0000:00:1f.3 vfio-pci
status 0000:00:1f.0 result refused
status 0000:00:1f.0 reason "PCI bridge: bridges are never bound"
for a in 0000:00:1f.4 0000:00:1f.5 0000:00:1f.6; do
	status $a result refused
	status $a selected_by companion
	reason_has $a "(on the root bus), select it by address to pass it through"
done
status 0000:00:1f.6 reason "kept for the host: chipset network controller (on the root bus), select it by address to pass it through"
untouched 0000:00:1f.6 e1000e
untouched 0000:00:1f.4 i801_smbus
untouched 0000:00:1f.5 intel-spi
device_count 5
kmsg_has "vfio-boot: 1 bound, 0 already bound, 4 refused, 0 failed"
end

begin chipset-nic-by-address
# Selected by address, a chipset NIC is the operator's choice.
fixture_host intel-desktop | tree
conf "00:1f.6" "companions=none"
bind
status 0000:00:1f.6 result bound
device_count 1
untouched 0000:00:1f.3 snd_hda_intel
end

begin group-with-chipset-not-taken
# AMD 500-series: the second GPU slot shares group 15 with the chipset's
# switch, NIC, USB and SATA. companions=group takes none of them.
fixture_host amd-500 | tree
conf "10de:1b81" "companions=group"
bind
status 0000:04:00.0 result bound
status 0000:04:00.1 result bound
status 0000:04:00.1 reason "same slot as 0000:04:00.0; taken from snd_hda_intel"
status 0000:05:00.0 reason "kept for the host: network controller, select it by address to pass it through"
status 0000:07:00.0 reason "kept for the host: SATA controller, select it by address to pass it through"
status 0000:06:00.1 reason "kept for the host: IOMMU group 15 cannot be taken whole, 0000:05:00.0 (network controller) must stay"
status 0000:06:00.3 result refused
status 0000:03:04.0 reason "PCI bridge: bridges are never bound"
untouched 0000:07:00.0 ahci
untouched 0000:05:00.0 igb
untouched 0000:06:00.1 xhci_hcd
untouched 0000:06:00.3 xhci_hcd
[ "$(jq '[.devices[] | select(.result == "bound")] | length' "$T/run/vfio-boot/status.json")" = 2 ] ||
	fail "more than the card was bound"
end

begin gpu-group-with-sata
# A GPU whose group holds a SATA controller: the controller stays on ahci.
fixture_host shared-groups | tree
conf "01:00.0" "companions=group"
bind
status 0000:01:00.0 result bound
status 0000:01:00.1 result bound
status 0000:02:00.0 result refused
reason_has 0000:02:00.0 "kept for the host: SATA controller"
untouched 0000:02:00.0 ahci
end

begin navi-behind-switch
# VGA and HD audio in separate groups: the slot rule takes the card whole;
# its switch bridges are never touched.
fixture_host navi-switch | tree
conf "1002:73bf"
bind
status 0000:0d:00.0 result bound
status 0000:0d:00.1 result bound
status 0000:0d:00.1 iommu_group 21
device_count 2
untouched 0000:0c:00.0 pcieport
untouched 0000:0a:00.0 nouveau
end

begin datacentre-3d-controller-and-bmc-vga
# A 3D controller (0302) has no boot_vga and is never the boot VGA; the BMC's
# VGA is, and is refused.
fixture_host gpu-server | tree
[ ! -e "$T/sys/bus/pci/devices/0000:18:00.0/boot_vga" ] || fail "fixture: 0302 with boot_vga"
conf "10de:20b5" "10de:1eb8" "1a03:2000"
bind
status 0000:18:00.0 result bound
status 0000:3b:00.0 result bound
status 0000:02:00.0 result refused
status 0000:02:00.0 reason "boot VGA device: it drives the host console (boot-vga=allow takes it)"
untouched 0000:02:00.0 ast
end

begin boot-vga-unreadable-fails-safe
# A VGA-class function whose boot_vga cannot be read counts as the boot VGA.
host_spec | tree
rm "$T/sys/devices/pci0000:00/0000:01:00.0/boot_vga"
printf 'x\n' >"$T/sys/devices/pci0000:00/0000:02:00.0/boot_vga"
conf "01:00.0" "02:00.0"
bind
for a in 0000:01:00.0 0000:02:00.0; do
	status $a result refused
	status $a reason "boot VGA device: boot_vga cannot be read, so it may drive the host console (boot-vga=allow takes it)"
	untouched $a nouveau
done
device_count 2
conf "01:00.0" "boot-vga=allow"
bind
status 0000:01:00.0 result bound
status 0000:01:00.1 result bound
end

begin boot-vga-card-audio-stays
# The HD audio of the boot GPU, selected by ID: the card is never split.
fixture_host bootvga-card | tree
conf "10de:228e"
bind
status 0000:01:00.1 result refused
status 0000:01:00.1 reason "card kept whole: 0000:01:00.0 stays with the host (boot VGA device: it drives the host console (boot-vga=allow takes it))"
untouched 0000:01:00.1 snd_hda_intel
status 0000:01:00.0 selected_by companion
status 0000:01:00.0 reason "boot VGA device: it drives the host console (boot-vga=allow takes it)"
untouched 0000:01:00.0 nouveau
device_count 2
conf "10de:228e" "companions=none"
bind
status 0000:01:00.1 result refused
untouched 0000:01:00.1 snd_hda_intel
device_count 1
conf "10de:1e87"
bind
for a in 0000:02:00.0 0000:02:00.1 0000:02:00.2 0000:02:00.3; do status $a result bound; done
end

begin skip-stays-per-function
# vfio_boot.skip= is the operator's choice for one function: the rest of the
# card is still bound.
fixture_host bootvga-card | tree
conf "10de:1e87"
echo "quiet vfio_boot.skip=02:00.2" >"$T/proc/cmdline"
bind
status 0000:02:00.2 result refused
untouched 0000:02:00.2 xhci_hcd
status 0000:02:00.0 result bound
status 0000:02:00.3 result bound
end

begin class-unreadable-never-a-companion
host_spec | tree
for f in modalias class; do rm "$T/sys/devices/pci0000:00/0000:01:00.3/$f"; done
conf "01:00.0"
bind
status 0000:01:00.2 result bound
status 0000:01:00.3 result refused
status 0000:01:00.3 reason "kept for the host: function of unknown class, select it by address to pass it through"
override_is 0000:01:00.3 "(null)"
end

begin group-kept-by-the-primarys-own-slot
# companions=group: the selected card's own slot has a function no card
# carries (here an Ethernet controller), which the slot rule leaves to the
# host, so the group cannot be taken whole: the USB controller elsewhere in
# the group stays with the host too.
printf '%s\n' "0000:05:00.0 10de:1e87 030000 group=7 driver=nouveau" \
	"0000:05:00.1 10de:10f8 040300 group=7 driver=snd_hda_intel" \
	"0000:05:00.2 8086:1533 020000 group=7 driver=igb" \
	"0000:06:00.0 1b21:2142 0c0330 group=7 driver=xhci_hcd" | tree
conf "05:00.0" "companions=group"
bind
status 0000:05:00.0 result bound
status 0000:05:00.1 result bound
status 0000:05:00.2 result refused
untouched 0000:05:00.2 igb
status 0000:06:00.0 result refused
status 0000:06:00.0 reason "kept for the host: IOMMU group 7 cannot be taken whole, 0000:05:00.2 (network controller) must stay"
untouched 0000:06:00.0 xhci_hcd
end
