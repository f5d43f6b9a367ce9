#!/bin/bash
# shellcheck disable=SC2154 # here, T and the helpers are run.sh's
# Sourced by tests/bind/run.sh: vfs=N@ADDRESS, SR-IOV virtual functions made
# on a physical function and given to vfio-pci, the PF left with its driver.
# A fixture's sriov_numvfs is a plain file: writing it makes no VF, so the
# cases that bind VFs start from a tree where they are there already.

# nvme_pf [NUMVFS]: host.spec with an NVMe PF at 05:00.0 offering 2 VFs and,
# with NUMVFS 2, its VFs at 05:00.1 and 05:00.2 (QEMU's layout: the slot of
# the PF), each in a group of its own.
nvme_pf() {
	local pf=$T/sys/bus/pci/devices/0000:05:00.0 vf
	{ host_spec
	  echo "0000:05:00.0 1b36:0010 010802 group=20 driver=nvme"
	  if [ "${1:-0}" = 2 ]; then
		echo "0000:05:00.1 1b36:0010 010802 group=21"
		echo "0000:05:00.2 1b36:0010 010802 group=22"
	  fi; } | tree
	echo 2 >"$pf/sriov_totalvfs"
	echo "${1:-0}" >"$pf/sriov_numvfs"
	echo 1 >"$pf/sriov_drivers_autoprobe"
	if [ "${1:-0}" = 2 ]; then
		for i in 0 1; do
			vf=0000:05:00.$((i + 1))
			ln -s "../$vf" "$(readlink -f "$pf")/virtfn$i"
			ln -s ../0000:05:00.0 "$(readlink -f "$T/sys/bus/pci/devices/$vf")/physfn"
		done
	fi
}
last_of() { tail -n 1 "$T/sys/bus/pci/devices/$1/$2"; }

begin sriov-makes-vfs-once-the-pf-has-its-driver
nvme_pf 0
conf "vfs=2@0000:05:00.0"
bind
rc_is 0
[ "$(last_of 0000:05:00.0 sriov_drivers_autoprobe)" = 0 ] || fail "sriov_drivers_autoprobe not 0"
[ "$(last_of 0000:05:00.0 sriov_numvfs)" = 2 ] || fail "sriov_numvfs not written 2"
override_is 0000:05:00.0 "(null)"
driver_is 0000:05:00.0 nvme
kmsg_has "0000:05:00.0 [1b36:0010]: 2 VFs made for vfio-pci (vfs=2@0000:05:00.0), its driver nvme stays"
end

begin sriov-binds-the-vfs-not-the-pf
nvme_pf 2
conf "vfs=2@0000:05:00.0"
bind
rc_is 0
for a in 0000:05:00.1 0000:05:00.2; do
	override_is $a vfio-pci
	driver_is $a vfio-pci
	status $a result bound
	status $a selected_by vfs=2@0000:05:00.0
done
override_is 0000:05:00.0 "(null)"
driver_is 0000:05:00.0 nvme
[ "$(cat "$T/sys/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 2 ] || fail "sriov_numvfs was written again"
end

begin sriov-vfs-with-the-pf-selected-too-stay-apart
# The VFs share the PF's slot: a selected PF does not drag them along as
# companions, nor do they drag it.
nvme_pf 2
conf "vfs=2@0000:05:00.0" "01:00.0"
bind
rc_is 0
driver_is 0000:05:00.0 nvme
status 0000:05:00.1 result bound
device_count 6
end

begin sriov-refuses-more-than-it-offers
nvme_pf 0
conf "vfs=4@0000:05:00.0"
bind --strict
rc_is 3 # --strict: a problem in the configuration
[ "$(last_of 0000:05:00.0 sriov_numvfs)" = 0 ] || fail "sriov_numvfs was written"
[ "$(last_of 0000:05:00.0 sriov_drivers_autoprobe)" = 1 ] || fail "sriov_drivers_autoprobe was written"
message_has "no VFs made (vfs=4@0000:05:00.0): it offers 2 (sriov_totalvfs)"
end

begin sriov-refuses-a-function-without-sr-iov
host_spec | tree
conf "vfs=2@0000:03:00.0"
bind --strict
rc_is 3 # --strict: a problem in the configuration
message_has "no VFs made (vfs=2@0000:03:00.0): it has no SR-IOV"
override_is 0000:03:00.0 "(null)"
end

begin sriov-waits-for-the-pf-driver
nvme_pf 0
rm "$T/sys/bus/pci/devices/0000:05:00.0/driver"
conf "vfs=2@0000:05:00.0"
bind
rc_is 0
[ "$(last_of 0000:05:00.0 sriov_numvfs)" = 0 ] || fail "VFs made with no PF driver"
kmsg_has "its 2 VFs (vfs=2@0000:05:00.0) are made once its driver binds it"
end

# The rule that runs the binder again once 80-drivers.rules has loaded the
# physical function's driver: its match (PCI add events of functions with
# SR-IOV), and what its command does with the function now bound.
begin sriov-rule-after-the-driver-module
vfs_rules=$here/../../udev/81-vfio-boot-vfs.rules
rule=$(grep -v -e '^#' -e '^$' "$vfs_rules")
case $rule in
'ACTION=="add", SUBSYSTEM=="pci", ATTR{sriov_totalvfs}=="?*", RUN+="'*'"') ;;
*) fail "the rule does not match exactly ACTION add, SUBSYSTEM pci, sriov_totalvfs: $rule" ;;
esac
[ "$(printf '%s\n' "$rule" | wc -l)" = 1 ] || fail "more than one rule in $vfs_rules"
case ${vfs_rules##*/} in
8[1-9]-*) ;; # after 80-drivers.rules, whose RUN loads the driver's module
*) fail "$vfs_rules does not sort after 80-drivers.rules" ;;
esac
nvme_pf 0
conf "vfs=2@0000:05:00.0"
cmd=${rule#*RUN+=\"}
cmd=${cmd%\"}
cmd=${cmd//@SBINDIR@\/vfio-boot-bind/$bin}
cmd=${cmd//\$kernel/0000:05:00.0}
# shellcheck disable=SC2086 # the rule's words, split as udev splits them
FAKE_ROOT=$T timeout -k 5 "$BIND_LIMIT" $cmd --root "$T" --modprobe "$here/fake-modprobe" \
	>"$T/out" 2>"$T/err" || fail "the rule's command failed: $(cat "$T/err")"
[ "$(last_of 0000:05:00.0 sriov_drivers_autoprobe)" = 0 ] || fail "sriov_drivers_autoprobe not 0"
[ "$(last_of 0000:05:00.0 sriov_numvfs)" = 2 ] || fail "sriov_numvfs not written 2"
driver_is 0000:05:00.0 nvme
end
