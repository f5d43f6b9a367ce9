#!/bin/bash
# The Ansible collection contrib/ansible (vfio_boot.vfio_boot: the `setup`
# role and the `configure` module) as a fleet runs it, against a copy of the
# debootstrapped Debian 12 tree (tests/tree) through the chroot connection
# plugin (community.general.chroot), with the package tests/package/build.sh
# made:
#   - ansible-lint (production profile) passes;
#   - `ansible-galaxy collection build` makes the tarball, named with the
#     Makefile's VERSION (galaxy.yml's version must be it), and
#     `ansible-galaxy collection install` puts it into a collections path in
#     the work directory: every play below runs that installed copy;
#   - first run: installs the .deb, configures: changed;
#   - the boot, as far as a chroot has one: the tree holds the fixture sysfs
#     of tests/fixture/host.spec, and the packaged vfio-boot-bind runs in the
#     chroot against it (the stand-in modprobe of tests/bind does what the
#     kernel would);
#   - second run, with the status check on: ok, nothing changed, and the
#     check passes (`vfio-boot status --json`: every selected function on
#     vfio-pci);
#   - --check with another selection: reports changed, changes nothing;
#   - --check --diff: prints the unified diff of /etc/vfio-boot.conf;
#   - a selection that starts with '-' reaches vfio-boot as a selector
#     (the module passes `--`), which refuses it: the tree stays as it was;
#   - a function taken back by its native driver: the check fails, naming it;
#   - vfio_boot_state=absent: every entry under etc/ back as before.
# Not exercised: the role's reboot (a chroot cannot reboot) and a status
# check against real hardware after a real boot (tests/package boots the
# packaged image; this suite's boot is the fixture's).
#
# Usage: tests/ansible/run.sh [DEBDIR]   (as root; default build/deb)
# Exit:  0 all passed, 1 a failure, 77 the tree cannot be made.
# Env:   VFIO_BOOT_TREE (see tests/package/run.sh), KEEP=1
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
debdir=$(cd "${1:-$repo/build/deb}" 2>/dev/null && pwd) || {
	echo "ansible: no ${1:-$repo/build/deb} (tests/package/build.sh DIR)" >&2
	exit 1
}
# shellcheck disable=SC2034 # read by tests/lib-check.sh
suite=ansible
# shellcheck source=tests/lib-check.sh disable=SC1091 # followed when linted with it
. "$repo/tests/lib-check.sh"
# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$repo/tests/tree/lib-tree.sh"
t_all=$(date +%s.%N)

[ "$(id -u)" -eq 0 ] || fatal "must run as root (the chroot connection needs it)"
for tool in ansible-playbook ansible-galaxy ansible-doc ansible-lint jq make; do
	command -v "$tool" >/dev/null 2>&1 || fatal "$tool not found (tools/deps.sh check)"
done
version=$(make -s -C "$repo" --no-print-directory version)
deb=$debdir/vfio-boot_${version}_$(dpkg --print-architecture).deb
[ -r "$deb" ] || fatal "no $deb (tests/package/build.sh $debdir)"

not_grep() { ! grep -q -- "$1" "$2"; } # TEXT FILE
# jq's verdict without its output (a redirection after `check` would hide
# check's own line too).
jq_true() { jq -e "$@" >/dev/null; } # JQ-ARGS...

tmp=$(mktemp -d /var/tmp/vfio-boot-ansible.XXXXXX) || fatal "mktemp failed"
trap work_dir_remove EXIT
trap 'exit 1' INT TERM HUP

# Ansible's own files (~/.ansible, caches) go to the work directory.
export HOME=$tmp/home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
mkdir -p "$HOME"
source_collection=$repo/contrib/ansible/ansible_collections/vfio_boot/vfio_boot
collections=$tmp/collections

say "=== ansible-lint"
t0=$(date +%s.%N)
if (cd "$repo/contrib/ansible" && ansible-lint --offline --nocolor) >"$tmp/lint.log" 2>&1; then
	ok "ansible-lint: passed"
else
	bad "ansible-lint:"
	sed 's/^/    | /' "$tmp/lint.log" | tail -30
fi
check "ansible-lint: no warnings" not_grep WARNING "$tmp/lint.log"
timing "ansible-lint" "$(seconds_since "$t0")"

say "=== the collection as a fleet gets it: ansible-galaxy build, install"
t0=$(date +%s.%N)
tarball=$tmp/dist/vfio_boot-vfio_boot-$version.tar.gz
say "  \$ ansible-galaxy collection build --output-path $tmp/dist ${source_collection#"$repo/"}"
ansible-galaxy collection build --output-path "$tmp/dist" "$source_collection" >"$tmp/build.log" 2>&1
check "ansible-galaxy collection build exits 0" [ $? -eq 0 ]
# The tarball's name carries galaxy.yml's version.
check "the tarball has the Makefile's VERSION ($version) in its name" [ -f "$tarball" ]
find "$tmp/dist" -type f -printf '    | %f\n' 2>/dev/null
say "  \$ ansible-galaxy collection install -p $collections ${tarball##*/}"
ansible-galaxy collection install -p "$collections" "$tarball" >"$tmp/install.log" 2>&1
check "ansible-galaxy collection install exits 0" [ $? -eq 0 ]
installed=$collections/ansible_collections/vfio_boot/vfio_boot
# shellcheck disable=SC2016 # a jq variable
check "installed: MANIFEST.json says version $version" \
	jq_true --arg v "$version" '.collection_info.version == $v' "$installed/MANIFEST.json"
# The plays find the module there, not in the source tree.
module_file() {
	ANSIBLE_COLLECTIONS_PATH=$collections ansible-doc --json vfio_boot.vfio_boot.configure 2>/dev/null |
		jq -r '.[].doc.filename'
}
check "ansible-doc finds the module in the installed copy" \
	[ "$(module_file)" = "$installed/plugins/modules/configure.py" ]
[ -f "$installed/MANIFEST.json" ] || fatal "the collection is not installed (above): every play needs it"
timing "ansible-galaxy build, install" "$(seconds_since "$t0")"

# ---------------------------------------------------------------- the tree

t0=$(date +%s.%N)
tree=$tmp/tree
tree_copy "$tree"
sed -i 's/^MODULES=.*/MODULES=list/' "$tree/etc/initramfs-tools/initramfs.conf"
# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed when linted with it
. "$repo/tests/boot/lib-rig.sh"
rig_write_grub_standin "$tree"
# The example host's sysfs (tests/fixture), as the machine the tree is on,
# with a fifth function in the card's slot that configure keeps for the host
# (verdict "keep"): the status check must not want it on vfio-pci.
{ cat "$repo/tests/fixture/host.spec"
  echo "0000:01:00.4 10de:0fb9 088000 subsys=1462:3975 group=15"; } |
	"$repo/tests/fixture/mksysfs" "$tmp/fixture" || fatal "mksysfs failed"
{ cp -a "$tmp/fixture/sys/." "$tree/sys/" && cp "$tmp/fixture/proc/cmdline" "$tree/proc/cmdline" &&
	install -m 755 "$repo/tests/bind/fake-modprobe" "$tree/usr/local/sbin/fake-modprobe"; } ||
	fatal "cannot put the fixture into the tree"
timing "the tree (copy, fixture)" "$(seconds_since "$t0")"

snapshot_etc() { tree_snapshot_etc "$tree"; }
# The tree's state a check-mode run must not touch: etc/, the image, the
# commands the stand-ins logged, the installed packages.
snapshot_tree() {
	snapshot_etc
	sha256sum "$tree"/boot/initrd.img-*
	cat "$tree/var/log/vfio-boot-test-calls" 2>/dev/null
	# shellcheck disable=SC2016 # a dpkg-query format
	chroot "$tree" dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n'
}

printf '%s\n' '[passthrough]' \
	"tree ansible_host=$tree ansible_connection=community.general.chroot ansible_python_interpreter=/usr/bin/python3" \
	>"$tmp/hosts"
cat >"$tmp/play.yml" <<'EOF'
---
- name: vfio-boot on a chroot tree
  hosts: passthrough
  gather_facts: false
  roles:
    - role: vfio_boot.vfio_boot.setup
EOF
# play NAME CALLBACK SELECTION VERIFY STATE [ANSIBLE-PLAYBOOK-ARGS...]: runs
# the play; output in $tmp/NAME.out, the exit status returned.
play() {
	local name=$1 callback=$2 sel=$3 verify=$4 state=$5
	shift 5
	jq -n --arg deb "$deb" --arg sel "$sel" --argjson verify "$verify" --arg state "$state" \
		'{vfio_boot_deb: $deb, vfio_boot_selection: [$sel], vfio_boot_cpu: "intel",
		  vfio_boot_verify: $verify, vfio_boot_state: $state}' >"$tmp/$name.vars.json"
	say "  \$ ansible-playbook $* ($sel, verify $verify, $state)"
	# From the work directory: no ansible.cfg of the source tree is read.
	(cd "$tmp" && ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_STDOUT_CALLBACK=$callback \
		ansible-playbook -i "$tmp/hosts" "$tmp/play.yml" -e "@$tmp/$name.vars.json" "$@") \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
}
stat_is() { # NAME FIELD VALUE: the json callback's stats for the host
	local got
	got=$(jq -r ".stats.tree.$2" "$tmp/$1.out" 2>/dev/null)
	[ "$got" = "$3" ] || {
		say "    stats.tree.$2: got '$got', want '$3'"
		return 1
	}
}
stat_positive() { [ "$(jq -r ".stats.tree.$2" "$tmp/$1.out" 2>/dev/null)" -gt 0 ] 2>/dev/null; }
task_changed() { # NAME TASK-NAME-START: that task reported changed
	jq -e --arg t "$2" '[.plays[].tasks[] | select(.task.name | sub("^[^ ]* : "; "") | startswith($t)) |
		.hosts.tree.changed] | any' "$tmp/$1.out" >/dev/null
}
task_skipped() { # NAME TASK-NAME-START: that task was skipped
	jq -e --arg t "$2" '[.plays[].tasks[] | select(.task.name | sub("^[^ ]* : "; "") | startswith($t)) |
		.hosts.tree.skipped == true] | (length > 0 and all)' "$tmp/$1.out" >/dev/null
}
task_msg() { # NAME TASK-NAME-START: the task's msg
	jq -r --arg t "$2" '.plays[].tasks[] | select(.task.name | sub("^[^ ]* : "; "") | startswith($t)) |
		.hosts.tree.msg // empty' "$tmp/$1.out"
}
show_failure() { # NAME
	jq -r '.plays[].tasks[] | select(.hosts.tree.failed == true) |
		"    failed: \(.task.name): \(.hosts.tree.msg)"' "$tmp/$1.out" 2>/dev/null
	tail -5 "$tmp/$1.err" | sed 's/^/    | /'
}
sel=10de:2504@0000:01:00.0

say "=== first run: install and configure"
t0=$(date +%s.%N)
snapshot_etc >"$tmp/etc.before"
# The role's defaults: the status check on, no reboot. The binder has not
# run yet (it runs at the next boot): the check waits for it, and says so.
play first json "$sel" true present || show_failure first
check "first run: no failure" stat_is first failures 0
check "first run: no status check before the reboot" task_skipped first "Read the selection"
says_it_waits() { task_msg first "Say that the check waits" | grep -q "the status check runs"; }
check "first run: it says the check waits for a reboot" says_it_waits
check "first run: changed" stat_positive first changed
check "first run: the package task changed" task_changed first "Install the vfio-boot package from the copied"
check "first run: the configure task changed" task_changed first "Configure the devices"
# shellcheck disable=SC2016 # a dpkg-query format
check "vfio-boot installed in the tree" \
	[ "$(chroot "$tree" dpkg-query -W -f '${db:Status-Status}' vfio-boot)" = installed ]
check "etc/vfio-boot.conf selects $sel" grep -qx "$sel" "$tree/etc/vfio-boot.conf"
check "update-grub ran with the IOMMU flags" [ "$(rig_grub_cmdline "$tree")" = "intel_iommu=on iommu=pt" ]
timing "first run" "$(seconds_since "$t0")"

say "--- the boot, in the chroot: the packaged binder on the fixture sysfs"
chroot "$tree" env FAKE_ROOT=/ vfio-boot-bind --modprobe /usr/local/sbin/fake-modprobe --quiet
check "the binder wrote run/vfio-boot/status.json" \
	jq_true '[.devices[] | select(.result == "bound")] | length == 4' "$tree/run/vfio-boot/status.json"

say "=== second run: nothing to change, the status check passes"
t0=$(date +%s.%N)
snapshot_tree >"$tmp/tree.first"
play second json "$sel" true present || show_failure second
check "second run: no failure" stat_is second failures 0
check "second run: nothing changed" stat_is second changed 0
check "the status check passed for the card's four functions" \
	[ "$(task_msg second "Check that every selected")" = \
	"on vfio-pci: 0000:01:00.0, 0000:01:00.1, 0000:01:00.2, 0000:01:00.3" ]
snapshot_tree >"$tmp/tree.second"
check "second run: the tree is as the first left it" cmp -s "$tmp/tree.first" "$tmp/tree.second"
timing "second run" "$(seconds_since "$t0")"

say "=== a selection that starts with '-': a selector, not an option"
t0=$(date +%s.%N)
# Without `--`, vfio-boot would read -n as --dry-run and say it has no selectors.
play dash json -n false present
check "the play fails" [ $? -ne 0 ]
refuses_selector() { task_msg dash "Configure the devices" | grep -qF "invalid selector '-n'"; }
check "vfio-boot refused '-n' as a selector" refuses_selector
task_msg dash "Configure the devices" | sed 's/^/    | /'
snapshot_tree >"$tmp/tree.dash"
check "the tree is as the first run left it" cmp -s "$tmp/tree.first" "$tmp/tree.dash"
timing "selection '-n'" "$(seconds_since "$t0")"

say "=== --check with another selection"
t0=$(date +%s.%N)
play check json 0000:02:00.0 true present --check || show_failure check
check "check mode: no failure" stat_is check failures 0
check "check mode: the configure task reports changed" task_changed check "Configure the devices"
snapshot_tree >"$tmp/tree.check"
check "check mode: nothing changed in the tree" cmp -s "$tmp/tree.first" "$tmp/tree.check"
timing "--check" "$(seconds_since "$t0")"

say "=== --check --diff"
t0=$(date +%s.%N)
play diff default 0000:02:00.0 true present --check --diff || show_failure diff
shows_diff() { # FILE
	grep -q "^+++ b/etc/vfio-boot.conf" "$1" && grep -q "^-$sel" "$1" &&
		grep -q "^+10de:2504@0000:02:00.0" "$1"
}
check "diff mode: the diff of etc/vfio-boot.conf" shows_diff "$tmp/diff.out"
grep -E '^[-+@]' "$tmp/diff.out" | head -8 | sed 's/^/    | /'
snapshot_tree >"$tmp/tree.diff"
check "diff mode: nothing changed in the tree" cmp -s "$tmp/tree.first" "$tmp/tree.diff"
timing "--check --diff" "$(seconds_since "$t0")"

say "=== a function back on its native driver: the status check fails"
t0=$(date +%s.%N)
addr=0000:01:00.1
rm "$tree/sys/bus/pci/devices/$addr/driver" "$tree/sys/bus/pci/drivers/vfio-pci/$addr" 2>/dev/null
ln -s ../../../bus/pci/drivers/snd_hda_intel "$tree/sys/bus/pci/devices/$addr/driver"
play broken json "$sel" true present
check "the play fails" [ $? -ne 0 ]
names_addr() { task_msg broken "Check that every selected" | grep -q "not on vfio-pci: $addr;"; }
check "the status check fails, naming $addr" names_addr
task_msg broken "Check that every selected" | sed 's/^/    | /'
timing "status check, failing" "$(seconds_since "$t0")"

say "=== vfio_boot_state=absent"
t0=$(date +%s.%N)
play absent json "$sel" false absent || show_failure absent
check "absent: no failure" stat_is absent failures 0
check "absent: the configure task changed" task_changed absent "Configure the devices"
snapshot_etc >"$tmp/etc.after"
if diff -u "$tmp/etc.before" "$tmp/etc.after" >"$tmp/etc.diff"; then
	ok "absent: etc/ is byte for byte as before the first run"
else
	bad "absent: etc/ differs from before the first run:"
	sed 's/^/    /' "$tmp/etc.diff" | head -20
fi
timing "absent" "$(seconds_since "$t0")"

say "=== timings"
# shellcheck disable=SC2154 # timings is kept by tests/lib-check.sh
for t in "${timings[@]}"; do say "  $t"; done
say "  $(printf '%-40s %6s s' total "$(seconds_since "$t_all")")"
summary
