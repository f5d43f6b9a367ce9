#!/bin/bash
# shellcheck disable=SC2154 # here, T, work and the helpers are run.sh's
# Sourced by tests/configure/run.sh: every command's --json answer, checked
# with jq against the fields documented in vfio-boot(8): one object on stdout,
# errors included, with the members every answer has.

# --json: one object on stdout and nothing else (jq -s sees exactly one value).
json_is() { # DESCRIPTION JQ-FILTER
	jq -s -e 'length == 1' "$T/out" >/dev/null 2>&1 || {
		fail "$1: stdout is not one JSON value: $(head -c 300 "$T/out")"
		return
	}
	jq -e "$2" "$T/out" >/dev/null || fail "$1: jq '$2' is not true on: $(jq -c "{files,commands,errors,warnings,verdicts: [.selection[].verdict]}" "$T/out")"
}
# The members every answer has, whatever the command and however it ended.
json_common='(.command | type == "string" or . == null) and
	(.root | type == "string" or . == null) and (.exit_status | type == "number") and
	(.warnings | type == "array") and all(.warnings[]; type == "string") and
	(.errors | type == "array") and all(.errors[]; type == "string") and
	(.complete | type == "boolean")'
# configure's and unconfigure's documented fields, with their types, in every object.
json_shape='(.command | type == "string") and (.root | type == "string") and
	(.dry_run | type == "boolean") and (.changed | type == "boolean") and
	(.exit_status | type == "number") and (.selection | type == "array") and
	(.bootloader | type == "string" or . == null) and (.kernel_flags | type == "array") and
	(.files | type == "array") and (.diff | type == "string") and
	(.commands | type == "array") and (.warnings | type == "array") and
	(.errors | type == "array") and .complete == true and
	all(.selection[]; (.address | type == "string") and (.vendor | test("^[0-9a-f]{4}$")) and
		(.device | test("^[0-9a-f]{4}$")) and (.name | type == "string") and
		(.selected_by | type == "string") and
		(.verdict | IN("bind", "already-bound", "refuse")) and (.why | type == "string")) and
	all(.files[]; (.path | startswith("/")) and
		(.action | IN("unchanged", "create", "modify", "remove", "mkdir", "rmdir"))) and
	all(.commands[]; (.argv | type == "array" and length > 0) and
		(.state | IN("pending", "done", "failed", "undone", "skipped")) and
		(.status | type == "number" or . == null))'

begin json-configure-changed
host_tree
vboot --json configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is fields '.command == "configure" and .changed == true and .dry_run == false and
	.exit_status == 0 and .errors == [] and .bootloader == "grub" and
	.kernel_flags == ["intel_iommu=on", "iommu=pt"]'
json_is selection '[.selection[] | .address] == ["0000:01:00.0", "0000:01:00.1",
	"0000:01:00.2", "0000:01:00.3"]'
json_is "selected by ID@address" '.selection[0] | .selected_by == "10de:2504@01:00.0" and
	.verdict == "bind" and .why == "selected by 10de:2504@01:00.0" and .vendor == "10de" and
	.device == "2504" and (.name | test("NVIDIA"))'
json_is companion '.selection[1] | .selected_by == "companion" and .verdict == "bind" and
	.why == "same slot as 0000:01:00.0"'
json_is files '.files == [{"path": "/etc/vfio-boot.conf", "action": "create"},
	{"path": "/etc/modprobe.d", "action": "mkdir"},
	{"path": "/etc/modprobe.d/00-vfio-boot.conf", "action": "create"},
	{"path": "/etc/default/grub", "action": "modify"}]'
json_is commands "[.commands[] | {argv, state, status, chroot}] == [
	{\"argv\": [\"update-grub\"], \"state\": \"done\", \"status\": 0, \"chroot\": \"$T\"},
	{\"argv\": [\"update-initramfs\", \"-u\", \"-k\", \"all\"], \"state\": \"done\",
	 \"status\": 0, \"chroot\": \"$T\"}]"
json_is diff '(.diff | contains("+++ b/etc/vfio-boot.conf")) and
	(.diff | contains("+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""))'
has err "stand-in update-initramfs ran"
has etc/vfio-boot.conf "10de:2504"
end

begin json-configure-unchanged
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
: >"$T/var/log/calls"
snapshot_tree >"$work/$current.before"
vboot --json configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is unchanged '.changed == false and .exit_status == 0 and .commands == [] and
	.diff == "" and (.files | length == 3) and all(.files[]; .action == "unchanged") and
	(.selection | length == 4)'
calls_are ""
tree_unchanged "unchanged configure --json"
end

begin json-dry-run
host_tree
vboot --json --dry-run configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is "dry run" '.dry_run == true and .changed == true and .exit_status == 0 and
	([.commands[] | [.state, .status]] == [["pending", null], ["pending", null]]) and
	([.commands[] | .argv[0]] == ["update-grub", "update-initramfs"]) and
	(.diff | contains("+++ b/etc/modprobe.d/00-vfio-boot.conf")) and
	(.files | map(.action) == ["create", "mkdir", "create", "modify"])'
tree_unchanged "dry run --json"
calls_are ""
end

begin json-refused
host_tree
vboot --json configure 10de:2504@01:00.0,1234:5678
rc_is 2
json_is shape "$json_shape"
json_is "unmatched selector" '.changed == false and .exit_status == 2 and .files == [] and
	.commands == [] and .errors == ["argument: selector '"'"'1234:5678'"'"' matches no PCI device (--force keeps it)"]'
# The text output goes to stderr with --json; the error line is there once.
[ "$(grep -c '^vfio-boot: ' "$T/err")" = 1 ] || fail "want one error line on stderr: $(cat "$T/err")"
vboot --json configure 10de:25x4
rc_is 2
json_is "bad selector" '.exit_status == 2 and .changed == false and
	(.errors | length == 1) and (.errors[0] | contains("invalid selector"))'
tree_unchanged "refused --json"
vboot --json configure --force 10de:2504@01:00.0,1234:5678@05:00.0
rc_is 0
json_is "--force" '.changed == true and .errors == [] and
	(.warnings | index("argument: selector '"'"'1234:5678@05:00.0'"'"' matches no PCI device (kept: --force)") != null)'
end

begin json-refused-function
host_tree
vboot --json configure --dry-run 00:02.0
rc_is 2
json_is "boot VGA refused" '.exit_status == 2 and .changed == false and .files == [] and
	.selection == [.selection[0]] and
	(.selection[0] | .address == "0000:00:02.0" and .verdict == "refuse" and
	 (.why | test("boot VGA"))) and (.errors[0] | test("selects nothing for vfio-pci"))'
tree_unchanged "refused function --json"
end

begin json-failure
host_tree
touch "$T/fail-update-initramfs"
vboot --json configure 10de:2504@01:00.0
rc_is 1
json_is shape "$json_shape"
# update-grub runs again on the files put back.
json_is failure '.changed == false and .exit_status == 1 and
	([.commands[] | [.argv[0], .state, .status]] == [["update-grub", "undone", 0],
		["update-initramfs", "undone", 1]]) and
	(.errors == ["update-initramfs failed with status 1: putting the files back as they were"])'
tree_unchanged "failed configure --json"
end

begin json-bootloader
host_tree
rm "$T/etc/default/grub"
vboot --json configure --bootloader none 10de:2504@01:00.0
rc_is 0
json_is "explicit none" '.exit_status == 0 and .bootloader == "none" and
	.kernel_flags == ["intel_iommu=on", "iommu=pt"] and
	all(.warnings[]; startswith("no bootloader") | not)'
vboot --json configure 10de:2504@01:00.0
rc_is 4
json_is "none recognised" '.exit_status == 4 and .bootloader == "none" and
	(.warnings | any(startswith("no bootloader recognised: add these flags")))'
end

begin json-unconfigure
host_tree
vboot configure 10de:2504@01:00.0
snapshot_tree >"$work/$current.configured"
: >"$T/var/log/calls"
vboot --json --dry-run unconfigure
rc_is 0
json_is shape "$json_shape"
json_is "dry run" '.command == "unconfigure" and .dry_run == true and .changed == true and
	.selection == [] and (.files | map(.action) | sort == ["modify", "remove", "remove", "rmdir"]) and
	([.commands[] | .status] == [null, null])'
snapshot_tree | cmp -s - "$work/$current.configured" || fail "unconfigure --dry-run changed files"
vboot --json unconfigure
rc_is 0
json_is undone '.changed == true and .exit_status == 0 and
	([.commands[] | .status] == [0, 0]) and
	(.files | map(select(.action == "remove") | .path) | sort ==
		["/etc/modprobe.d/00-vfio-boot.conf", "/etc/vfio-boot.conf"])'
tree_unchanged "unconfigure --json"
vboot --json unconfigure
rc_is 0
json_is "nothing to undo" '.changed == false and .files == [] and .commands == []'
end

# A file edited since configure: left as it is, said in .warnings, exit 6.
begin json-unconfigure-kept
host_tree
vboot configure 10de:2504@01:00.0
echo "# the admin's line" >>"$T/etc/vfio-boot.conf"
vboot --json unconfigure
rc_is 6
json_is shape "$json_shape"
json_is kept '.changed == true and .exit_status == 6 and .errors == [] and
	.warnings == ["left /etc/vfio-boot.conf as it is: it changed since configure, which had created it"] and
	(.files | map(.path) == ["/etc/default/grub", "/etc/modprobe.d/00-vfio-boot.conf", "/etc/modprobe.d"])'
grep -qx "# the admin's line" "$T/etc/vfio-boot.conf" || fail "the edited file was not kept"
end

# An interrupted configure (killed in update-initramfs) is rolled back by the
# next run: that run changed files and ran commands, even when it then has
# nothing to undo.
begin json-recovery
host_tree
cat >"$T/usr/sbin/update-initramfs" <<'STUB'
#!/bin/sh
echo "update-initramfs $*" >>/var/log/calls
[ ! -e /kill-parent ] || kill -9 $PPID
STUB
touch "$T/kill-parent"
vboot configure 10de:2504@01:00.0
rc_is 137
rm "$T/kill-parent"
: >"$T/var/log/calls"
vboot --json unconfigure
rc_is 0
json_is shape "$json_shape"
json_is "rolled back" '.changed == true and .exit_status == 0 and .errors == [] and
	(.warnings | any(test("^an interrupted configure .* was rolled back$")))'
calls_are "update-grub 
update-initramfs -u -k all"
rm -rf "$T/var/lib/vfio-boot"
tree_unchanged "recovery, then unconfigure --json"
end

# Bad usage: still one object, exit 2, the reason in .errors (and on stderr).
begin json-usage
host_tree
for args in "configure --wait x 10de:2504" "--bogus configure 10de:2504" "unconfigure --companions="; do
	# shellcheck disable=SC2086 # the words are the arguments
	vboot --json $args
	rc_is 2
	json_is "$args" '.exit_status == 2 and .changed == false and .files == [] and
		(.errors | length == 1)'
	has err "Try 'vfio-boot --help'"
done
timeout 10 "$vb" --json --root "$work/no-such-tree" unconfigure >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 2
json_is "missing --root" '.command == "unconfigure" and .root == null and
	.errors == ["--root '"'$work/no-such-tree'"': No such file or directory"]'
tree_unchanged "bad usage --json"
end

# ---------------------------------------------------------------- every command

# Each of list, check and status answers with one object, errors included: an
# error found before any work (a bad option or argument, a bad --root) and one
# met during the work (what sysfs holds cannot be read, a damaged journal, a
# busy lock). The reason is in .errors and still on stderr.

# sysfs that cannot be read (a file where the devices' directory is): exit 1,
# the reason in .errors, and not the member the command would have had.
json_sysfs_unreadable() { # COMMAND MEMBER
	rm -rf "$T/sys/bus/pci/devices"
	echo "not a directory" >"$T/sys/bus/pci/devices"
	vboot --json "$1"
	rc_is 1
	json_is "$1: sysfs unreadable" "$json_common"' and .command == "'"$1"'" and
		.exit_status == 1 and .'"$2"' == null and
		.errors == ["cannot read '"$T"'/sys/bus/pci/devices: Not a directory"]'
	has err "vfio-boot: cannot read $T/sys/bus/pci/devices: Not a directory"
}
begin json-list
host_tree
vboot --json list
rc_is 0
json_is common "$json_common"
json_is answer '.command == "list" and .root == "'"$T"'" and .exit_status == 0 and
	.errors == [] and .complete == true and .iommu == true and (.devices | length == 11)'
vboot --json list extra
rc_is 2
json_is "an argument" "$json_common"' and .command == "list" and .exit_status == 2 and
	.errors == ["list takes no arguments"] and .devices == null'
has err "vfio-boot: list takes no arguments"
vboot --json --bogus list
rc_is 2
json_is "unknown option" '.command == "list" and .exit_status == 2 and
	.errors == ["unknown option '"'--bogus'"'"]'
has err "Try 'vfio-boot --help'"
json_sysfs_unreadable list devices
rm -rf "$T/sys"
vboot --json list
rc_is 1
json_is "no sys" '.exit_status == 1 and (.errors[0] | test("^no PCI devices under .*/sys: list needs the hardware$"))'
end

begin json-check
host_tree
vboot --json check
json_is common "$json_common"
json_is answer '.command == "check" and (.exit_status == 0 or .exit_status == 3) and
	(.ready == (.exit_status == 0)) and (.checks | length > 5) and
	all(.checks[]; (.name | type == "string") and (.state | IN("ok", "warn", "fail", "skip")) and
		(.detail | type == "string"))'
vboot --json check extra
rc_is 2
json_is "an argument" "$json_common"' and .exit_status == 2 and
	.errors == ["check takes no arguments"] and .checks == null'
timeout 10 "$vb" --json --root "$work/no-such-tree" check >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 2
json_is "missing --root" "$json_common"' and .command == "check" and .root == null and
	.errors == ["--root '"'$work/no-such-tree'"': No such file or directory"]'
json_sysfs_unreadable check checks
end

begin json-status
host_tree
vboot --json status
rc_is 0
json_is common "$json_common"
json_is answer '.command == "status" and .exit_status == 0 and .errors == [] and
	.configured == false and .functions == [] and .images == [] and .as_expected == true'
vboot --json --wait x status
rc_is 2
json_is "bad --wait" "$json_common"' and .command == "status" and .exit_status == 2 and
	(.errors | length == 1) and (.errors[0] | startswith("--wait takes seconds")) and
	.functions == null'
json_sysfs_unreadable status functions
end

# status --json after a run that died: the recovery's notes are in .warnings,
# its commands' own output on stderr, and stdout holds the object alone.
begin json-status-recovery
host_tree
cat >"$T/usr/sbin/update-initramfs" <<'STUB'
#!/bin/sh
echo "update-initramfs $*" >>/var/log/calls
echo "stand-in update-initramfs ran"
[ ! -e /kill-parent ] || { rm /kill-parent; kill -9 $PPID; }
STUB
touch "$T/kill-parent"
vboot configure 10de:2504@01:00.0
rc_is 137
vboot --json status
rc_is 0
json_is "rolled back" "$json_common"' and .exit_status == 0 and .errors == [] and
	.configured == false and
	(.warnings | any(test("^an interrupted configure .* was rolled back$")))'
has err "running: update-initramfs -u -k all"
has err "stand-in update-initramfs ran"
lacks out "stand-in"
end

# A damaged journal and a busy lock, met during the work: status answers with
# the common members, configure and unconfigure with their whole object.
begin json-journal-and-lock
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
j=$T/var/lib/vfio-boot/journal
cp "$j" "$work/journal.good"
truncate -s $(($(stat -c %s "$j") - 20)) "$j"
for cmd in status "configure 02:00.0" unconfigure; do
	# shellcheck disable=SC2086 # words on purpose
	vboot --json $cmd
	rc_is 7
	json_is "$cmd: damaged journal" "$json_common"' and .exit_status == 7 and
		(.errors | length == 1) and (.errors[0] | contains("/var/lib/vfio-boot/journal is damaged")) and
		if .command == "status" then .functions == null else '"$json_shape"' and .changed == false end'
	has err "/var/lib/vfio-boot/journal is damaged"
done
cp "$work/journal.good" "$j"
flock -o "$T/var/lib/vfio-boot/lock" sleep 10 &
holder=$!
sleep 0.3
for cmd in status unconfigure; do
	vboot --json --wait 1 $cmd
	rc_is 8
	json_is "$cmd: busy" "$json_common"' and .exit_status == 8 and
		(.errors | length == 1) and (.errors[0] | contains("still locked")) and
		if .command == "status" then .functions == null else '"$json_shape"' and .changed == false end'
done
kill "$holder"
wait "$holder" 2>/dev/null
end

# No command, or one that does not exist: still one object.
begin json-no-command
host_tree
vboot --json
rc_is 2
json_is "none" "$json_common"' and .command == null and .errors == ["no command given"]'
vboot --json frobnicate
rc_is 2
json_is "unknown" "$json_common"' and .command == "frobnicate" and
	.errors == ["unknown command '"'frobnicate'"'"]'
end

begin json-version
host_tree
# --version with --json, before or after it: one object, like every answer.
for args in "--json --version" "--version --json" "-V -j list"; do
	# shellcheck disable=SC2086 # the options, split on purpose
	vboot $args
	rc_is 0
	json_is "$args" "$json_common"' and .version == "'"$(make -s -C "$here/../.." version)"'" and .exit_status == 0'
done
vboot --version
rc_is 0
has out "vfio-boot $(make -s -C "$here/../.." version)"
end
