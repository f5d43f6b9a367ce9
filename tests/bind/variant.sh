# shellcheck shell=bash
# shellcheck disable=SC2154 # here is set by tests/bind/run.sh
# Sourced by tests/bind/run.sh: driver=, reset_method= and preload= at boot.
# The fixture kernel is tests/bind/fake-modprobe: FAKE_VARIANTS loads variant
# modules that register a driver whose name differs from the module's,
# FAKE_PRELOAD modules such as vendor-reset, which make FAKE_DEVICE_SPECIFIC
# devices offer device_specific.

# A Grace Hopper GPU (10de:2342, 3D class), an mlx5 VF, an AMD Polaris card
# with its HDMI audio, and a plain card for generic vfio-pci.
variant_host() {
	cat <<'SPEC'
0009:01:00.0 10de:2342 030200 group=30
0000:02:00.0 15b3:101e 020000 group=31 driver=mlx5_core
0000:03:00.0 1002:67df 030000 group=32 driver=amdgpu
0000:03:00.1 1002:aaf0 040300 group=32 driver=snd_hda_intel
0000:04:00.0 10de:2504 030000 group=33 driver=nouveau
SPEC
}
variant_tree() { variant_host | tree; }
reset_offers() { echo "$2" >"$T/sys/bus/pci/devices/$1/reset_method"; }
# The last line written to an attribute (the fixture keeps every write).
written() { tail -n 1 "$T/sys/bus/pci/devices/$1/$2"; }
VARIANTS="nvgrace_gpu_vfio_pci:nvgrace-gpu-vfio-pci mlx5_vfio_pci:mlx5_vfio_pci"

begin variant-driver-name-from-sys-module
# driver_override gets the driver's own name, read from sys/module/MODULE/drivers:
# nvgrace_gpu_vfio_pci registers nvgrace-gpu-vfio-pci. The module loads before
# the override is written; vfio-pci is loaded only for the card that uses it.
variant_tree
conf "10de:2342@0009:01:00.0" "15b3:101e@0000:02:00.0" "10de:2504@0000:04:00.0" \
	"driver=nvgrace_gpu_vfio_pci@10de:2342@0009:01:00.0  # vfio_pci alias in 6.8.0" \
	"driver=mlx5_vfio_pci@15b3:101e@0000:02:00.0"
FAKE_VARIANTS=$VARIANTS bind
rc_is 0
override_is 0009:01:00.0 nvgrace-gpu-vfio-pci
override_is 0000:02:00.0 mlx5_vfio_pci
override_is 0000:04:00.0 vfio-pci
status 0009:01:00.0 driver nvgrace-gpu-vfio-pci
status 0000:02:00.0 driver mlx5_vfio_pci
status 0000:04:00.0 driver vfio-pci
driver_is 0000:04:00.0 vfio-pci
status 0000:04:00.0 result bound
events_are "modprobe mlx5_vfio_pci
modprobe nvgrace_gpu_vfio_pci
modprobe vfio-pci
unbind 0000:02:00.0 from mlx5_core
unbind 0000:04:00.0 from nouveau
bind 0000:04:00.0 vfio-pci"
kmsg_has "0009:01:00.0 [10de:2342] failed: nvgrace-gpu-vfio-pci did not bind it"
end

begin variant-already-bound
# A function already on its variant driver stays there (a second, live run).
variant_host | sed 's/group=30$/group=30 driver=nvgrace-gpu-vfio-pci/' | tree
conf "10de:2342@0009:01:00.0" "driver=nvgrace_gpu_vfio_pci@0009:01:00.0"
FAKE_VARIANTS=$VARIANTS bind
status 0009:01:00.0 result already-bound
status 0009:01:00.0 driver nvgrace-gpu-vfio-pci
override_is 0009:01:00.0 nvgrace-gpu-vfio-pci
driver_is 0009:01:00.0 nvgrace-gpu-vfio-pci
events_are "modprobe nvgrace_gpu_vfio_pci"
end

begin variant-hotplug-rule-leaves-it
# udev's coldplug runs the 69 rule (--device) for a function the boot put
# on its variant: nothing to do, and the boot's entry in status.json stays.
# (The fixture kernel binds no variant: the function starts on it, and the
# first run loads the module.)
variant_host | sed 's/group=30$/group=30 driver=nvgrace-gpu-vfio-pci/' | tree
conf "10de:2342@0009:01:00.0" "driver=nvgrace_gpu_vfio_pci@0009:01:00.0"
FAKE_VARIANTS=$VARIANTS bind
rc_is 0
status 0009:01:00.0 result already-bound
status 0009:01:00.0 event boot
cp "$T/run/vfio-boot/status.json" "$T/status.before"
cp "$T/events" "$T/events.before"
FAKE_VARIANTS=$VARIANTS bind --device 0009:01:00.0
rc_is 0
cmp -s "$T/run/vfio-boot/status.json" "$T/status.before" ||
	fail "status.json rewritten: $(jq -c '.devices[] | [.address, .result, .event]' "$T/run/vfio-boot/status.json")"
cmp -s "$T/events" "$T/events.before" || fail "--device acted: $(cat "$T/events")"
end

begin driver-vfio-pci-overrides-the-variant
# driver=vfio-pci forces the generic driver: for all, or for one selector.
variant_tree
conf "10de:2342@0009:01:00.0" "15b3:101e@0000:02:00.0" \
	"driver=nvgrace_gpu_vfio_pci@0009:01:00.0" "driver=mlx5_vfio_pci@15b3:101e" "driver=vfio-pci"
FAKE_VARIANTS=$VARIANTS bind
override_is 0009:01:00.0 vfio-pci
override_is 0000:02:00.0 vfio-pci
status 0009:01:00.0 driver vfio-pci
status 0009:01:00.0 result bound
events_are "modprobe vfio-pci
unbind 0000:02:00.0 from mlx5_core
bind 0000:02:00.0 vfio-pci
bind 0009:01:00.0 vfio-pci"
end

begin driver-vfio-pci-per-selector
variant_tree
conf "10de:2342@0009:01:00.0" "15b3:101e@0000:02:00.0" \
	"driver=nvgrace_gpu_vfio_pci@0009:01:00.0" "driver=mlx5_vfio_pci@15b3:101e" \
	"driver=vfio-pci@15b3:101e@0000:02:00.0"
FAKE_VARIANTS=$VARIANTS bind
override_is 0009:01:00.0 nvgrace-gpu-vfio-pci
override_is 0000:02:00.0 vfio-pci
status 0000:02:00.0 result bound
end

begin variant-missing-falls-back-to-vfio-pci
# A variant module this kernel lacks: the function still goes to vfio-pci (it
# stays off the host's drivers), and the report says what was not used.
variant_tree
conf "10de:2342@0009:01:00.0" "driver=nvgrace_gpu_vfio_pci@0009:01:00.0"
bind
override_is 0009:01:00.0 vfio-pci
driver_is 0009:01:00.0 vfio-pci
status 0009:01:00.0 driver vfio-pci
status 0009:01:00.0 result bound
status 0009:01:00.0 reason "variant nvgrace_gpu_vfio_pci not used: $here/fake-modprobe nvgrace_gpu_vfio_pci exited with status 1"
end

begin variant-module-without-pci-driver
# A module that loads but registers no PCI driver is not guessed from its name.
variant_tree
conf "10de:2342@0009:01:00.0" "driver=vendor_reset@0009:01:00.0"
FAKE_PRELOAD=vendor_reset bind
override_is 0009:01:00.0 vfio-pci
status 0009:01:00.0 reason "variant vendor_reset not used: vendor_reset registered 0 PCI drivers, not one"
end

begin reset-method-with-preload
# preload=vendor-reset loads first; then the card offers device_specific and
# reset_method gets it, before the override and the unbind.
variant_tree
reset_offers 0000:03:00.0 "flr bus"
reset_offers 0000:03:00.1 "flr bus"
conf "1002:67df@0000:03:00.0" "preload=vendor_reset" \
	"reset_method=device_specific@1002:67df@0000:03:00.0" "reset_method=bus@0000:03:00.1"
FAKE_PRELOAD=vendor_reset FAKE_DEVICE_SPECIFIC=0000:03:00.0 bind
[ "$(written 0000:03:00.0 reset_method)" = device_specific ] ||
	fail "reset_method of 0000:03:00.0 is '$(written 0000:03:00.0 reset_method)'"
[ "$(written 0000:03:00.1 reset_method)" = bus ] ||
	fail "reset_method of 0000:03:00.1 is '$(written 0000:03:00.1 reset_method)'"
status 0000:03:00.0 reset_method device_specific
status 0000:03:00.1 reset_method bus
status 0000:03:00.0 result bound
status 0000:03:00.0 reason "taken from amdgpu; reset_method device_specific"
events_are "modprobe vendor_reset
modprobe vfio-pci
unbind 0000:03:00.0 from amdgpu
unbind 0000:03:00.1 from snd_hda_intel
bind 0000:03:00.0 vfio-pci
bind 0000:03:00.1 vfio-pci"
end

begin reset-method-not-offered
# A method the device does not list is not written; the device is bound
# anyway (it stays off the host's drivers), and the report says why.
variant_tree
reset_offers 0000:03:00.0 "flr bus"
conf "1002:67df@0000:03:00.0" "reset_method=device_specific,bus@0000:03:00.0" \
	"preload=vendor_reset"
bind
[ "$(wc -l <"$T/sys/bus/pci/devices/0000:03:00.0/reset_method")" = 1 ] ||
	fail "reset_method was written"
status 0000:03:00.0 reset_method null
status 0000:03:00.0 result bound
status 0000:03:00.0 reason "taken from amdgpu; reset_method not set: device_specific not offered (only: flr bus)"
message_has "preload=vendor_reset: $here/fake-modprobe vendor_reset exited with status 1"
kmsg_has "reset_method not set: device_specific not offered"
end

begin reset-method-absent
# A kernel without reset_method (before 5.15): said, nothing written, bound.
variant_tree
conf "1002:67df@0000:03:00.0" "reset_method=bus@0000:03:00.0"
bind
[ ! -e "$T/sys/bus/pci/devices/0000:03:00.0/reset_method" ] || fail "reset_method created"
status 0000:03:00.0 reset_method null
status 0000:03:00.0 reason "taken from amdgpu; reset_method not set: the kernel has none for it"
status 0000:03:00.0 result bound
end

begin dry-run-says-variant-and-reset
variant_tree
conf "10de:2342@0009:01:00.0" "driver=nvgrace_gpu_vfio_pci@0009:01:00.0" \
	"reset_method=flr@0009:01:00.0"
FAKE_VARIANTS=$VARIANTS bind --dry-run
grep -qF "0009:01:00.0 [10de:2342] dry-run: would bind nvgrace_gpu_vfio_pci, set reset_method flr" "$T/out" ||
	fail "dry run: $(cat "$T/out")"
[ ! -e "$T/events" ] || fail "the dry run loaded a module"
end

begin print-modules
# What the initramfs hooks put in the image: every driver= variant and
# preload= module, never vfio-pci (the hooks add it anyway); bad lines on
# stderr. Nothing else is read or written.
variant_tree
conf "10de:2342@0009:01:00.0" "driver=nvgrace_gpu_vfio_pci@0009:01:00.0" \
	"driver=vfio-pci@0000:04:00.0" "driver=mlx5_vfio_pci@15b3:101e" \
	"preload=vendor-reset" "driver=bad/name@01:00.0"
bind --print-modules
rc_is 0
[ "$(cat "$T/out")" = "nvgrace_gpu_vfio_pci
mlx5_vfio_pci
vendor-reset" ] || fail "--print-modules printed: $(cat "$T/out")"
grep -qF "driver=bad/name@01:00.0" "$T/err" || fail "bad line not said: $(cat "$T/err")"
[ ! -e "$T/events" ] || fail "--print-modules loaded a module"
[ ! -e "$T/run/vfio-boot/status.json" ] || fail "--print-modules wrote a report"
end
