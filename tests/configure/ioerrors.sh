#!/bin/bash
# shellcheck disable=SC2154 # T, work, vb, kver and the helpers are faults.sh's and lib.sh's
# Sourced by tests/configure/faults.sh. I/O errors are errors: strace makes
# the calls that read one file or directory of a fixture tree fail with EIO
# (-P PATH: only the calls on it), and configure, check and list must each
# exit 1 with one line naming it, run no command and change nothing in the
# tree. Before, such an error read as "absent": configure went on without
# softdeps, a short listing of sysfs made a selector "match no PCI device".

# One run with CALLS failing with EIO on PATH (inside the tree) only.
vboot_eio() { # PATH CALLS ARGS...
	local path=$T/$1 calls=$2
	shift 2
	(timeout -k 5 60 strace -qq -o "$work/trace" -P "$path" -e trace="$calls" \
		-e inject="$calls":error=EIO "$vb" --root "$T" "$@" >"$T/out" 2>"$T/err"; exit $?) 2>/dev/null
	echo $? >"$T/rc"
	grep -q INJECTED "$work/trace" || fail "$*: no call on $1 failed: the test did not test"
}
# What each command must do after it: exit 1, one line naming the file, nothing done.
io_error_is() { # PATH-NAMED ARGS...
	local named=$1
	shift
	rc_is 1
	one_line_err
	has err "$named: Input/output error"
	tree_unchanged "$*"
	calls_are ""
	no_temp_files
}
every_command() { # PATH CALLS PATH-NAMED
	vboot_eio "$1" "$2" configure 10de:2504@01:00.0
	io_error_is "$3" configure
	vboot_eio "$1" "$2" check
	io_error_is "$3" check
	lacks out "ready"
	vboot_eio "$1" "$2" list
	io_error_is "$3" list
	lacks out "0000:01:00.0"
}

begin eio-listing-lib-modules
host_tree
every_command lib/modules getdents64 "cannot read $T/lib/modules (the kernel module indexes)"
end

begin eio-module-index
host_tree
every_command "lib/modules/$kver/modules.dep.bin" %fstat \
	"cannot read $T/lib/modules/$kver/modules.dep.bin (the kernel module indexes)"
end

begin eio-listing-sysfs
host_tree
every_command sys/bus/pci/devices getdents64 "cannot read $T/sys/bus/pci/devices"
end

begin eio-reading-cpuinfo
host_tree
vboot_eio proc/cpuinfo read configure 10de:2504@01:00.0
io_error_is "cannot read $T/proc/cpuinfo" configure
end

begin eio-listing-modprobe-d
host_tree
mkdir -p "$T/etc/modprobe.d"
echo "options snd_hda_intel power_save=0" >"$T/etc/modprobe.d/sound.conf"
baseline
vboot_eio etc/modprobe.d getdents64 configure 10de:2504@01:00.0
io_error_is "cannot read /etc/modprobe.d" configure
end

begin eio-listing-boot
installed_tree update-initramfs
vboot configure 10de:2504@0000:01:00.0
rc_is 0
baseline
no_calls
vboot_eio boot getdents64 check
rc_is 1
has out "fail  image            cannot read /boot: Input/output error"
has out "not ready"
tree_unchanged "check"
end


begin eio-reading-saved-selection
# A saved selection that cannot be read is no answer: check fails (exit 1),
# as for every other file it reads; not "not ready" (3), which a selection
# that is read and wrong gets.
host_tree
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
baseline
no_calls
vboot_eio etc/vfio-boot.conf read check
rc_is 1
has out "fail  selection        cannot read /etc/vfio-boot.conf: Input/output error"
has out "not ready"
tree_unchanged "check"
end

begin eio-reading-saved-selection-configure
# configure again, the saved selection unreadable: one line naming it.
host_tree
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
baseline
no_calls
vboot_eio etc/vfio-boot.conf read configure 02:00.0
io_error_is "cannot read /etc/vfio-boot.conf" configure
end

begin eio-reading-grub-default
# configure, /etc/default/grub unreadable: one line naming it, nothing done.
host_tree
baseline
vboot_eio etc/default/grub read configure 10de:2504@01:00.0
io_error_is "cannot read /etc/default/grub" configure
end

begin eio-reading-saved-selection-unconfigure
# unconfigure, the saved selection unreadable: one line naming it, nothing done.
host_tree
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
baseline
no_calls
vboot_eio etc/vfio-boot.conf read unconfigure
io_error_is "cannot read /etc/vfio-boot.conf" unconfigure
vboot_eio etc/vfio-boot.conf read status
io_error_is "cannot read /etc/vfio-boot.conf" status
end
