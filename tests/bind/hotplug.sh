#!/bin/bash
# shellcheck disable=SC2154 # here, T, bin and the helpers are run.sh's
# Sourced by tests/bind/run.sh: a device that appears after boot
# (vfio-boot-bind --device, run by udev/69-vfio-boot.rules).

rules=$here/../../udev/69-vfio-boot.rules

# rule_run ADDRESS: runs the command the rule runs for a PCI add event of
# ADDRESS, as udev builds it ($kernel is the device's name), on $T (--root,
# the fake modprobe). Fails the case when the rule is not the one expected.
rule_run() {
	local rule cmd
	rule=$(grep -v -e '^#' -e '^$' "$rules")
	[ "$(printf '%s\n' "$rule" | wc -l)" = 1 ] || fail "the rules file has more than one rule"
	# The match: PCI add events, nothing else (no change, no remove, no other subsystem).
	case $rule in
	'ACTION=="add", SUBSYSTEM=="pci", RUN+="'*'"') ;;
	*) fail "the rule does not match exactly ACTION add, SUBSYSTEM pci: $rule" ;;
	esac
	cmd=${rule#*RUN+=\"}
	cmd=${cmd%\"}
	cmd=${cmd//@SBINDIR@\/vfio-boot-bind/$bin}
	cmd=${cmd//\$kernel/$1}
	# shellcheck disable=SC2086 # the rule's words, split as udev splits them
	FAKE_ROOT=$T timeout -k 5 "$BIND_LIMIT" $cmd --root "$T" --modprobe "$here/fake-modprobe" \
		>"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}
# sys_state: sys/, run/ and dev/ (the kernel log), but the report's lock file.
sys_state() {
	(cd "$T" && find sys run dev \( -type f -o -type l \) ! -name '*.lock' 2>/dev/null | sort | while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f $(md5sum <"$f")"; fi
	done)
}

begin hotplug-rule-binds-a-named-device
host_spec | tree
conf "10de:2504@0000:02:00.0"
rule_run 0000:02:00.1
rc_is 0
# The whole card moves with the function that appeared.
for a in 0000:02:00.0 0000:02:00.1; do
	override_is $a vfio-pci
	driver_is $a vfio-pci
	status $a result bound
	status $a event hotplug
done
override_is 0000:01:00.0 "(null)"
driver_is 0000:01:00.0 nouveau
kmsg_has "vfio-boot: 0000:02:00.0 [10de:2504] bound: taken from nouveau (selected by 10de:2504@0000:02:00.0)"
[ ! -s "$T/err" ] || fail "--quiet, yet stderr has: $(cat "$T/err")"
end

begin hotplug-rule-leaves-an-unnamed-device
host_spec | tree
conf "10de:2504@0000:02:00.0"
sys_state >"$T/before"
rule_run 0000:03:00.0
rc_is 0
sys_state | cmp -s - "$T/before" || fail "a device the selection does not name changed something"
[ ! -e "$T/events" ] || fail "modprobe ran: $(cat "$T/events")"
end

begin hotplug-merges-into-the-boots-report
# At boot the second card was not there: the boot binds the first.
host_spec | grep -v '^0000:02:00' | tree
conf "10de:2504@0000:01:00.0" "10de:2504@0000:02:00.0"
bind
rc_is 0
device_count 4
message_has "matches no PCI device"
# It appears (the whole tree again, as the kernel shows it now).
rm -rf "$work/hw" && host_spec | "$mksysfs" "$work/hw" && rm -rf "$T/sys" && mv "$work/hw/sys" "$T/sys"
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do
	echo vfio-pci >>"$T/sys/bus/pci/devices/$a/driver_override"
	rm "$T/sys/bus/pci/devices/$a/driver" 2>/dev/null
	ln -s ../../../bus/pci/drivers/vfio-pci "$T/sys/bus/pci/devices/$a/driver"
done
bind --device 0000:02:00.0
rc_is 0
device_count 6
status 0000:01:00.0 result bound
status 0000:01:00.0 event boot
status 0000:02:00.0 result bound
status 0000:02:00.0 event hotplug
status 0000:02:00.1 event hotplug
driver_is 0000:02:00.1 vfio-pci
# The boot's message stays, said once.
status_has '[.messages[] | select(contains("matches no PCI device"))] | length' 1
end

begin hotplug-refuses-as-at-boot
host_spec | tree
conf "00:02.0"
bind --device 0000:00:02.0
rc_is 0
override_is 0000:00:02.0 "(null)"
driver_is 0000:00:02.0 i915
status 0000:00:02.0 result refused
status 0000:00:02.0 event hotplug
kmsg_has "0000:00:02.0 [8086:3e92] refused: boot VGA device"
# Again (udev runs it on every add): nothing new, nothing said twice.
cp "$T/dev/kmsg" "$T/kmsg.1"
bind --device 0000:00:02.0
rc_is 0
cmp -s "$T/dev/kmsg" "$T/kmsg.1" || fail "a second run said again: $(diff "$T/kmsg.1" "$T/dev/kmsg")"
end

begin hotplug-device-needs-an-address
host_spec | tree
conf "01:00.0"
bind --device 01:00.0
rc_is 2
grep -q "takes a PCI address as the kernel names it" "$T/err" || fail "stderr: $(cat "$T/err")"
bind --device 0000:09:00.0
rc_is 0
[ ! -e "$T/events" ] || fail "a device that is not there started modprobe"
end
