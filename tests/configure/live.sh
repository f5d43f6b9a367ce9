#!/bin/bash
# shellcheck disable=SC2154 # here, T, work and the helpers are run.sh's
# Sourced by tests/configure/run.sh: vfio-boot bind and release on a fixture
# tree. Its sysfs attributes are plain files that keep every write, one per
# line, so each case reads back what was written (driver_override, unbind,
# drivers_probe) and what was not. modprobe in the tree is the binder tests'
# fake-modprobe: loading vfio-pci applies the unbinds written and binds every
# overridden function, as the kernel does. No kernel answers a release's
# unbind of vfio-pci here: the driver link stays, and release says so.

# live_tree [SPEC]: sysfs and proc from SPEC (host.spec), busybox as /bin/sh,
# the fake modprobe, vfio-pci not loaded.
live_tree() {
	mkdir -p "$T" "$work"
	{ echo "!cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet"
	  cat "${1:-$here/../fixture/host.spec}"; } | "$mksysfs" "$T" || fail "mksysfs"
	mkdir -p "$T/etc" "$T/bin" "$T/usr/sbin" "$T/usr/lib"
	cp "$busybox" "$T/bin/sh"
	# The applets fake-modprobe uses, by name: there is no /proc/self/exe in the tree.
	for a in tail sed basename dirname rm ln mkdir cat; do ln -s sh "$T/bin/$a"; done
	cp "$here/../bind/fake-modprobe" "$T/usr/lib/fake-modprobe"
	printf '#!/bin/sh\nFAKE_ROOT=/ exec /bin/sh /usr/lib/fake-modprobe "$@"\n' >"$T/usr/sbin/modprobe"
	chmod +x "$T/usr/sbin/modprobe"
}
# sys_state: every file and link of sys/ with its content, to compare.
sys_state() {
	(cd "$T" && find sys -type f -o -type l | sort | while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f $(md5sum <"$f")"; fi
	done)
}
sys_saved() { sys_state >"$work/$current.sys"; }
sys_unchanged() { sys_state | cmp -s - "$work/$current.sys" || fail "$1: sys/ was written"; }
dev() { echo "$T/sys/bus/pci/devices/$1"; }
last_line() { tail -n 1 "$1"; }
driver_is() { # ADDRESS DRIVER
	[ "$(basename "$(readlink "$(dev "$1")/driver")")" = "$2" ] ||
		fail "$1 is on '$(basename "$(readlink "$(dev "$1")/driver")")', want $2"
}
# on_vfio ADDRESS...: as after the boot binder: override vfio-pci, driver vfio-pci.
on_vfio() {
	mkdir -p "$T/sys/bus/pci/drivers/vfio-pci" "$T/sys/module/vfio_pci"
	: >>"$T/sys/bus/pci/drivers/vfio-pci/unbind"
	for a in "$@"; do
		echo vfio-pci >>"$(dev "$a")/driver_override"
		rm -f "$(dev "$a")/driver"
		ln -s ../../../bus/pci/drivers/vfio-pci "$(dev "$a")/driver"
	done
}
holder() { # PID GROUP COMM: a process with /dev/vfio/GROUP open
	mkdir -p "$T/proc/$1/fd"
	echo "$3" >"$T/proc/$1/comm"
	ln -s /dev/null "$T/proc/$1/fd/0"
	ln -s "/dev/vfio/$2" "$T/proc/$1/fd/17"
}

begin live-bind-dry-run-writes-nothing
live_tree
sys_saved
vboot bind --dry-run 01:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would unbind nouveau, bind vfio-pci (selected by 01:00.0)"
has out "0000:01:00.3 [10de:1adb] dry-run: would bind vfio-pci (selected by companion)"
has out "dry run: 4 to bind, 0 already bound, 0 refused; nothing written"
lacks out "0000:02:00"
sys_unchanged "bind --dry-run"
[ ! -e "$T/run/vfio-boot/status.json" ] || fail "a dry run wrote status.json"
end

begin live-bind-selectors-as-the-binder
live_tree
vboot bind 10de:2504@0000:01:00.0
rc_is 0
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do
	[ "$(last_line "$(dev $a)/driver_override")" = vfio-pci ] || fail "$a: no override written"
	driver_is $a vfio-pci
done
# fake-modprobe applied the unbinds written (and logged each).
has events "unbind 0000:01:00.0 from nouveau"
has events "unbind 0000:01:00.1 from snd_hda_intel"
lacks events "0000:00:1f.3"
[ "$(last_line "$(dev 0000:02:00.0)/driver_override")" = "(null)" ] || fail "the other card was touched"
driver_is 0000:02:00.0 nouveau
has events "modprobe vfio-pci"
has out "0000:01:00.0 [10de:2504] bound: taken from nouveau (selected by 10de:2504@0000:01:00.0)"
has out "4 bound, 0 already bound, 0 refused, 0 failed"
jq -e '[.devices[] | select(.event == "bind" and .result == "bound")] | length == 4' \
	"$T/run/vfio-boot/status.json" >/dev/null || fail "status.json lacks the bind's entries"
[ ! -e "$T/etc/vfio-boot.conf" ] || fail "bind SEL saved a selection"
# Again: already there, nothing unbound twice.
cp "$T/events" "$work/events"
vboot bind 01:00.0
rc_is 0
has out "0 bound, 4 already bound"
cmp -s "$T/events" "$work/events" || fail "a second bind unbound or loaded again"
[ ! -s "$T/sys/bus/pci/drivers/nouveau/unbind" ] || fail "a second bind wrote an unbind"
end

begin live-bind-saved-selection-and-skip
live_tree
printf '10de:2504@0000:02:00.0\ncompanions=slot\n' >"$T/etc/vfio-boot.conf"
echo "BOOT_IMAGE=/vmlinuz ro vfio_boot.skip=0000:02:00.1" >"$T/proc/cmdline"
vboot bind
rc_is 0
driver_is 0000:02:00.0 vfio-pci
driver_is 0000:02:00.1 snd_hda_intel
driver_is 0000:01:00.0 nouveau
has out "0000:02:00.1 [10de:228e] refused"
jq -e '.devices | map(select(.address == "0000:02:00.0"))[0].selected_by == "10de:2504@0000:02:00.0"' \
	"$T/run/vfio-boot/status.json" >/dev/null || fail "status.json: 02:00.0 not selected by the saved line"
end

begin live-bind-disabled-binds-nothing
live_tree
printf '01:00.0\n' >"$T/etc/vfio-boot.conf"
echo "BOOT_IMAGE=/vmlinuz ro vfio_boot.disable=1" >"$T/proc/cmdline"
sys_saved
vboot bind
rc_is 0
has out "disabled by vfio_boot.disable=1"
sys_unchanged "bind while disabled"
end

begin live-bind-named-keeps-the-other-saved-kinds
# A named bind takes the saved driver= and reset_method= lines for each
# function the command's own lines of that kind do not name, the saved
# preload= unless it gives its own: --driver keeps the saved reset method.
live_tree
echo "flr bus" >"$(dev 0000:01:00.0)/reset_method"
printf '%s\n' 10de:2504@0000:01:00.0 "reset_method=bus@10de:2504@0000:01:00.0" >"$T/etc/vfio-boot.conf"
vboot bind --driver vfio-pci@0000:01:00.0 01:00.0
rc_is 0
[ "$(last_line "$(dev 0000:01:00.0)/reset_method")" = bus ] ||
	fail "the saved reset_method= line was dropped: $(last_line "$(dev 0000:01:00.0)/reset_method")"
driver_is 0000:01:00.0 vfio-pci
# Its own --reset-method wins for the function it names; the other named
# function keeps its saved method.
rm -rf "$T"
live_tree
echo "flr bus" >"$(dev 0000:01:00.0)/reset_method"
echo "flr bus" >"$(dev 0000:02:00.0)/reset_method"
printf '%s\n' 10de:2504@0000:01:00.0 "reset_method=bus@10de:2504@0000:01:00.0" \
	"reset_method=bus@10de:2504@0000:02:00.0" "preload=a,,b" >"$T/etc/vfio-boot.conf"
vboot bind --reset-method flr@0000:01:00.0 01:00.0 02:00.0
rc_is 0
[ "$(last_line "$(dev 0000:01:00.0)/reset_method")" = flr ] ||
	fail "--reset-method did not win: $(last_line "$(dev 0000:01:00.0)/reset_method")"
grep -qx bus "$(dev 0000:01:00.0)/reset_method" && fail "the saved reset method was written too"
[ "$(last_line "$(dev 0000:02:00.0)/reset_method")" = bus ] ||
	fail "02:00.0 lost its saved method: $(last_line "$(dev 0000:02:00.0)/reset_method")"
# The saved file's malformed line is said, as for the saved selection.
has out "warning: /etc/vfio-boot.conf:4: preload=a,,b"
end

begin live-named-takes-only-what-it-names
# This boot's vfio_boot.devices= is the boot's selection, as the saved one
# is: a named bind or release leaves it out; without SEL it comes along.
live_tree
echo "BOOT_IMAGE=/vmlinuz ro vfio_boot.devices=02:00.0" >"$T/proc/cmdline"
vboot bind --dry-run 01:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run"
lacks out "0000:02:00"
on_vfio 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3 0000:02:00.0 0000:02:00.1
vboot release --dry-run 01:00.0
rc_is 0
has out "dry run: 4 to release"
lacks out "0000:02:00"
printf '01:00.0\n' >"$T/etc/vfio-boot.conf"
vboot release --dry-run
rc_is 0
has out "0000:02:00.0 [10de:2504] dry-run"
end

begin live-named-driver-per-function
# --driver names one function: the other named one keeps its saved variant,
# to bind it to and, in release, to know it is on vfio-boot's driver.
live_tree
printf '%s\n' 10de:2504@0000:01:00.0 companions=none \
	driver=nvgrace_gpu_vfio_pci@10de:2504@0000:01:00.0 \
	driver=nvgrace_gpu_vfio_pci@10de:2504@0000:02:00.0 >"$T/etc/vfio-boot.conf"
vboot bind --dry-run --companions none --driver vfio-pci@0000:01:00.0 01:00.0 02:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would unbind nouveau, bind vfio-pci ("
has out "0000:02:00.0 [10de:2504] dry-run: would unbind nouveau, bind nvgrace_gpu_vfio_pci ("
# 02:00.0 on the variant, as the binder leaves it; 01:00.0 on vfio-pci.
on_vfio 0000:01:00.0
mkdir -p "$T/sys/bus/pci/drivers/nvgrace-gpu-vfio-pci" "$T/sys/module/nvgrace_gpu_vfio_pci/drivers"
ln -s ../../../bus/pci/drivers/nvgrace-gpu-vfio-pci \
	"$T/sys/module/nvgrace_gpu_vfio_pci/drivers/pci:nvgrace-gpu-vfio-pci"
echo nvgrace-gpu-vfio-pci >>"$(dev 0000:02:00.0)/driver_override"
rm -f "$(dev 0000:02:00.0)/driver"
ln -s ../../../bus/pci/drivers/nvgrace-gpu-vfio-pci "$(dev 0000:02:00.0)/driver"
vboot release --dry-run --companions none --driver vfio-pci@0000:01:00.0 01:00.0 02:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind vfio-pci, probe"
has out "0000:02:00.0 [10de:2504] dry-run: would clear driver_override, unbind nvgrace-gpu-vfio-pci, probe"
end

begin live-bind-refuses-boot-vga-and-host-network
{ cat "$here/../fixture/host.spec"; echo "!route eno1"; echo "!net eno1 0000:03:00.0"; } >"$work/net.spec"
live_tree "$work/net.spec"
sys_saved
vboot bind 00:02.0
rc_is 2
has out "0000:00:02.0 [8086:3e92] refused: boot VGA device"
sys_unchanged "bind of the boot VGA"
vboot bind 03:00.0
rc_is 2
has out "0000:03:00.0 [8086:1533] refused"
grep -q "default route\|network" "$T/out" || fail "the refusal does not say why: $(cat "$T/out")"
sys_unchanged "bind of the host's network card"
end

begin live-bind-json-one-object
live_tree
vboot --json bind --dry-run 01:00.0
rc_is 0
jq -e '.command == "bind" and .dry_run == true and (.devices | length) == 4 and
	.devices[0].result == "dry-run" and .devices[0].driver_before == "nouveau" and
	.exit_status == 0' "$T/out" >/dev/null || fail "bind --json: $(cat "$T/out")"
[ "$(jq -s length "$T/out")" = 1 ] || fail "bind --json printed more than one object"
vboot --json bind 00:02.0
rc_is 2
jq -e '.devices[0].result == "refused" and .exit_status == 2' "$T/out" >/dev/null ||
	fail "bind --json of a refused function: $(cat "$T/out")"
end

begin live-release-writes-and-verifies
live_tree
on_vfio 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3
printf '10de:2504@0000:01:00.0\n' >"$T/etc/vfio-boot.conf"
cp "$T/etc/vfio-boot.conf" "$work/conf"
vboot release
# No kernel here: vfio-pci keeps the link, and release must say so.
rc_is 1
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do
	[ -z "$(last_line "$(dev $a)/driver_override")" ] || fail "$a: override not cleared"
	has sys/bus/pci/drivers/vfio-pci/unbind "$a"
	has sys/bus/pci/drivers_probe "$a"
done
lacks sys/bus/pci/drivers/vfio-pci/unbind 0000:02:00.0
has out "0000:01:00.0 [10de:2504] failed: vfio-pci still holds it after unbinding"
jq -e '[.devices[] | select(.event == "release")] | length == 4' "$T/run/vfio-boot/status.json" \
	>/dev/null || fail "status.json lacks the release's entries"
cmp -s "$T/etc/vfio-boot.conf" "$work/conf" || fail "release changed the saved selection"
end

begin live-release-refused-while-a-vm-holds-the-group
live_tree
on_vfio 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3
holder 4242 12 qemu-system-x86
holder 4343 13 other-vm
sys_saved
vboot release 01:00.1
rc_is 9
has err "/dev/vfio/12 is open by qemu-system-x86 (pid 4242)"
lacks err "other-vm"
has err "nothing changed"
sys_unchanged "a refused release"
vboot --json release --dry-run 01:00.0
rc_is 9
jq -e '.exit_status == 9 and .holders == [{"pid": 4242, "comm": "qemu-system-x86", "group": 12}]' \
	"$T/out" >/dev/null || fail "release --json: $(cat "$T/out")"
rm -rf "$T/proc/4242"
vboot release --dry-run 01:00.1
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind vfio-pci, probe"
has out "dry run: 4 to release; nothing written"
sys_unchanged "release --dry-run"
end

begin live-release-from-the-variant
live_tree
# 01:00.0 on the driver its driver= line's module registered, named
# otherwise than the module, as the binder leaves it; the audio on vfio-pci.
on_vfio 0000:01:00.1
mkdir -p "$T/sys/bus/pci/drivers/nvgrace-gpu-vfio-pci" "$T/sys/module/nvgrace_gpu_vfio_pci/drivers"
ln -s ../../../bus/pci/drivers/nvgrace-gpu-vfio-pci \
	"$T/sys/module/nvgrace_gpu_vfio_pci/drivers/pci:nvgrace-gpu-vfio-pci"
: >"$T/sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/unbind"
echo nvgrace-gpu-vfio-pci >>"$(dev 0000:01:00.0)/driver_override"
rm -f "$(dev 0000:01:00.0)/driver"
ln -s ../../../bus/pci/drivers/nvgrace-gpu-vfio-pci "$(dev 0000:01:00.0)/driver"
printf '%s\n' 10de:2504@0000:01:00.0 companions=none 10de:228e@0000:01:00.1 \
	driver=nvgrace_gpu_vfio_pci@10de:2504@0000:01:00.0 >"$T/etc/vfio-boot.conf"
vboot release --dry-run
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind nvgrace-gpu-vfio-pci, probe"
has out "0000:01:00.1 [10de:228e] dry-run: would clear driver_override, unbind vfio-pci, probe"
# Named, as the boot would: the saved driver= line still says which driver it is on.
vboot release --dry-run 01:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind nvgrace-gpu-vfio-pci, probe"
vboot release
has sys/bus/pci/drivers/nvgrace-gpu-vfio-pci/unbind 0000:01:00.0
lacks sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.0
has sys/bus/pci/drivers/vfio-pci/unbind 0000:01:00.1
has out "0000:01:00.0 [10de:2504] failed: nvgrace-gpu-vfio-pci still holds it after unbinding"
# Its override is cleared now, the variant still on it: a variant (it holds
# vfio_pci_core) is still ours, and release may be tried again.
mkdir -p "$T/sys/module/vfio_pci_core/holders"
ln -s ../../nvgrace_gpu_vfio_pci "$T/sys/module/vfio_pci_core/holders/nvgrace_gpu_vfio_pci"
vboot release --dry-run 01:00.0
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind nvgrace-gpu-vfio-pci, probe"
# Without the driver= line, the function is on a driver vfio-boot did not choose.
printf '%s\n' 10de:2504@0000:01:00.0 companions=none >"$T/etc/vfio-boot.conf"
vboot release
rc_is 0
has out "nothing to release"
end

begin live-release-leaves-a-host-driver
live_tree
# driver= naming by hand the host driver the card is on: nouveau took it by
# itself (no driver_override names it), so it is not vfio-boot's to release.
mkdir -p "$T/sys/module/nouveau/drivers"
ln -s ../../../bus/pci/drivers/nouveau "$T/sys/module/nouveau/drivers/pci:nouveau"
printf '%s\n' 10de:2504@0000:01:00.0 companions=none \
	driver=nouveau@10de:2504@0000:01:00.0 >"$T/etc/vfio-boot.conf"
sys_saved
vboot release
rc_is 0
has out "nothing to release"
sys_unchanged "release of a card its host driver took"
# Where the binder put it (the override names nouveau), it is.
echo nouveau >>"$(dev 0000:01:00.0)/driver_override"
vboot release --dry-run
rc_is 0
has out "0000:01:00.0 [10de:2504] dry-run: would clear driver_override, unbind nouveau, probe"
end

begin live-release-nothing-on-vfio
live_tree
sys_saved
vboot release 02:00.0
rc_is 0
has out "nothing to release"
sys_unchanged "release of a card on its host driver"
end

# sriov_tree: host_tree with an NVMe PF at 05:00.0 that offers 2 VFs.
sriov_tree() {
	{ cat "$here/../fixture/host.spec"; echo "0000:05:00.0 1b36:0010 010802 group=20 driver=nvme"; } \
		>"$work/sriov.spec"
	host_tree "$work/sriov.spec"
	echo 2 >"$T/sys/bus/pci/devices/0000:05:00.0/sriov_totalvfs"
	echo 0 >"$T/sys/bus/pci/devices/0000:05:00.0/sriov_numvfs"
	echo 1 >"$T/sys/bus/pci/devices/0000:05:00.0/sriov_drivers_autoprobe"
}

begin configure-vfs-saves-the-line
sriov_tree
vboot configure --vfs 2@0000:05:00.0 10de:2504@0000:01:00.0
rc_is 0
has etc/vfio-boot.conf "vfs=2@0000:05:00.0"
has etc/vfio-boot.conf "10de:2504@0000:01:00.0"
# The binder reads it back: the PF gets its VFs, and keeps its driver.
FAKE_ROOT=$T "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
[ "$(tail -n 1 "$T/sys/bus/pci/devices/0000:05:00.0/sriov_numvfs")" = 2 ] ||
	fail "the binder did not make the VFs configure saved"
[ "$(tail -n 1 "$T/sys/bus/pci/devices/0000:05:00.0/driver_override")" = "(null)" ] ||
	fail "the PF was overridden"
end

begin configure-vfs-refuses-more-than-totalvfs
sriov_tree
vboot configure --vfs 4@0000:05:00.0 10de:2504@0000:01:00.0
rc_is 2
has err "vfs=4@0000:05:00.0: 0000:05:00.0 offers 2 VFs (sriov_totalvfs), not 4"
tree_unchanged "configure --vfs above sriov_totalvfs"
calls_are ""
vboot configure --vfs 2@0000:03:00.0 10de:2504@0000:01:00.0
rc_is 2
has err "0000:03:00.0 [8086:1533] has no SR-IOV"
tree_unchanged "configure --vfs on a function without SR-IOV"
vboot configure --vfs 0@0000:05:00.0 10de:2504@0000:01:00.0
rc_is 2
has err "vfs=0@0000:05:00.0"
vboot configure --vfs 2@10de:2504 01:00.0
rc_is 2
has err "the physical function is named by its address"
tree_unchanged "configure --vfs malformed"
end

begin list-shows-vfs
# A VF (its physfn link) is marked in list, and named in list --json.
{ cat "$here/../fixture/host.spec"
  echo "0000:05:00.0 1b36:0010 010802 group=20 driver=nvme"
  echo "0000:05:00.1 1b36:0010 010802 group=21"; } >"$work/vf.spec"
host_tree "$work/vf.spec"
ln -s ../0000:05:00.0 "$(readlink -f "$T/sys/bus/pci/devices/0000:05:00.1")/physfn"
vboot list
rc_is 0
grep -q '^  0000:05:00\.1 .*\[1b36:0010\] (SR-IOV VF of 0000:05:00\.0)$' "$T/out" ||
	fail "list does not mark the VF: $(grep 05:00.1 "$T/out")"
! grep -q '^  0000:05:00\.0 .*SR-IOV VF' "$T/out" || fail "the PF is marked a VF"
vboot list --json
rc_is 0
jq -e '(.devices[] | select(.address == "0000:05:00.1") | .physfn == "0000:05:00.0") and
	(.devices[] | select(.address == "0000:05:00.0") | .physfn == null)' "$T/out" >/dev/null ||
	fail "list --json physfn"
end

begin live-status-says-the-last-run
live_tree
printf '10de:2504@0000:02:00.0\ncompanions=slot\n' >"$T/etc/vfio-boot.conf"
printf '#!/bin/sh\nexit 1\n' >"$T/usr/sbin/modprobe"
vboot bind
rc_is 1
vboot --json status
rc_is 3
jq -e '.functions | map(select(.address == "0000:02:00.0"))[0] |
	(.actual == "nouveau" and .why == "last bind: failed: modprobe vfio-pci exited with status 1")' \
	"$T/out" >/dev/null || fail "status does not say the live bind: $(cat "$T/out")"
end

# The Ansible module's state=bound and state=released run these commands
# (the full module suite, tests/ansible, boots a VM; this runs it locally).
if command -v ansible >/dev/null; then
begin live-ansible-bound-and-released
live_tree
printf '10de:2504@0000:02:00.0\n' >"$T/etc/vfio-boot.conf"
collections=$here/../../contrib/ansible
ansible_module() { # ARGS...: the module on localhost, its JSON answer in $T/out
	PATH=$(dirname "$vb"):$PATH ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_LOAD_CALLBACK_PLUGINS=1 \
		ANSIBLE_STDOUT_CALLBACK=json timeout 120 ansible localhost -c local \
		-m vfio_boot.vfio_boot.configure -a "root=$T $*" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}
answer() { jq -e ".plays[0].tasks[0].hosts.localhost | $1" "$T/out" >/dev/null; }
ansible_module state=bound
rc_is 0
answer '.changed == true and .cmd[-2:] == ["bind", "--"]' || fail "state=bound: $(head -c 600 "$T/out")"
driver_is 0000:02:00.0 vfio-pci
driver_is 0000:02:00.1 vfio-pci
ansible_module state=bound
answer '.changed == false' || fail "state=bound again: changed"
holder 4242 13 qemu-system-x86
ansible_module state=released selection=02:00.0
rc_is 2
answer '.failed == true and (.msg | contains("exit status 9"))' ||
	fail "state=released with a VM: $(head -c 600 "$T/out")"
lacks sys/bus/pci/drivers/vfio-pci/unbind 0000:02:00.0
end
fi
