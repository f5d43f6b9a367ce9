#!/usr/bin/python
# SPDX-License-Identifier: GPL-2.0-or-later
"""vfio_boot.vfio_boot.configure: vfio-boot configure / unconfigure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: configure
short_description: Select the PCI devices vfio-pci takes at boot, with vfio-boot
description:
  - Runs C(vfio-boot --json configure) with the selection (or
    C(vfio-boot --json unconfigure) for I(state=absent)) and reports what it
    did. C(changed) is the C(changed) field of vfio-boot's JSON, so a run
    that finds everything as asked changes nothing.
  - I(state=bound) runs C(vfio-boot --json bind) now, on the running system
    (the saved selection, or I(selection) without saving it), I(state=released)
    C(vfio-boot --json release) (they go back to their host drivers; refused
    while a VM holds their IOMMU group). C(changed) is then true when a
    function moved (or would, in check mode).
  - Check mode runs vfio-boot with C(--dry-run); diff mode shows the unified
    diff of the files vfio-boot changes (or would change).
  - vfio-boot must be installed on the target (the C(setup) role installs it).
version_added: "0.1.0"
options:
  selection:
    description:
      - Selectors as in /etc/vfio-boot.conf, for example C(10de:2504),
        C(0000:01:00.0) or C(10de:2504@0000:01:00.0). Required when
        I(state=present); optional for I(state=bound) and I(state=released)
        (the saved selection).
    type: list
    elements: str
  state:
    description:
      - C(present) configures, C(absent) puts every file back.
      - C(bound) binds to vfio-pci now, C(released) gives back to the host now
        (live; the saved selection is not changed).
    type: str
    choices: [present, absent, bound, released]
    default: present
  companions:
    description: Which functions come along with a selected one.
    type: str
    choices: [slot, group, none]
  boot_vga:
    description: Whether the boot VGA device may be taken.
    type: str
    choices: [refuse, allow]
  blacklist:
    description: Also blacklist the drivers that would claim the devices.
    type: bool
    default: false
  bootloader:
    description:
      - The bootloader to give the kernel flags to; detected when not given.
        With C(none) the flags are only reported (C(kernel_flags)).
    type: str
    choices: [grub, systemd-boot, kernel-install, grubby, kernelstub, none]
  cpu:
    description: The CPU vendor, for a tree without /proc/cpuinfo.
    type: str
    choices: [intel, amd]
  regenerate:
    description: Rebuild the initramfs.
    type: bool
    default: true
  force:
    description: Keep selectors that match no device.
    type: bool
    default: false
  root:
    description: The system tree to work on (an image being built); C(/) is the target itself.
    type: path
    default: /
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - vfio-boot maintainers
"""

EXAMPLES = r"""
- name: Give the guest GPU and its functions to vfio-pci
  vfio_boot.vfio_boot.configure:
    selection:
      - 10de:2504@0000:01:00.0

- name: Give the card back to the host now (the next boot binds it again)
  vfio_boot.vfio_boot.configure:
    state: released

- name: Put everything back
  vfio_boot.vfio_boot.configure:
    state: absent
"""

RETURN = r"""
result:
  description: vfio-boot's JSON object (fields in vfio-boot(8)).
  returned: when vfio-boot ran
  type: dict
selection:
  description: Every function the selection resolved to (address, vendor, device, name, selected_by, verdict, why).
  returned: when vfio-boot ran
  type: list
  elements: dict
kernel_flags:
  description: The kernel command line flags.
  returned: when vfio-boot ran
  type: list
  elements: str
"""

import json

from ansible.module_utils.basic import AnsibleModule


def command_line(module, binary):
    """The vfio-boot command for the module's parameters."""
    p = module.params
    argv = [binary, "--json", "--root", p["root"]]
    if module.check_mode:
        argv.append("--dry-run")
    if p["state"] == "absent":
        return argv + (["--no-regenerate"] if not p["regenerate"] else []) + ["unconfigure"]
    if p["state"] in ("bound", "released"):
        command = "bind" if p["state"] == "bound" else "release"
        return argv + [command, "--"] + (p["selection"] or [])
    for option in ("companions", "boot_vga", "bootloader", "cpu"):
        if p[option]:
            argv += ["--" + option.replace("_", "-"), p[option]]
    for flag, wanted in (("--blacklist", p["blacklist"]), ("--force", p["force"]),
                         ("--no-regenerate", not p["regenerate"])):
        if wanted:
            argv.append(flag)
    # "--" ends the options: a selector that starts with "-" is a selector
    # (vfio-boot refuses it), never an option such as -n (--dry-run).
    return argv + ["configure", "--", ",".join(p["selection"])]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            selection=dict(type="list", elements="str"),
            state=dict(type="str", choices=["present", "absent", "bound", "released"],
                       default="present"),
            companions=dict(type="str", choices=["slot", "group", "none"]),
            boot_vga=dict(type="str", choices=["refuse", "allow"]),
            blacklist=dict(type="bool", default=False),
            bootloader=dict(type="str", choices=["grub", "systemd-boot", "kernel-install",
                                                 "grubby", "kernelstub", "none"]),
            cpu=dict(type="str", choices=["intel", "amd"]),
            regenerate=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
            root=dict(type="path", default="/"),
        ),
        required_if=[("state", "present", ("selection",))],
        supports_check_mode=True,
    )
    if module.params["state"] == "present" and not module.params["selection"]:
        module.fail_json(msg="selection is empty: name at least one device")

    binary = module.get_bin_path("vfio-boot", opt_dirs=["/usr/sbin", "/usr/local/sbin"])
    if not binary:
        if module.check_mode:
            # The package would be installed first in a real run.
            module.exit_json(changed=True, msg="vfio-boot is not installed yet")
        module.fail_json(msg="vfio-boot is not installed (install the vfio-boot package)")

    argv = command_line(module, binary)
    rc, out, err = module.run_command(argv)
    try:
        result = json.loads(out)
    except ValueError:
        module.fail_json(msg="vfio-boot printed no JSON (exit status %d): %s" % (rc, err.strip()),
                         rc=rc, cmd=argv, stderr=err)

    for warning in result.get("warnings", []):
        module.warn(warning)
    changed = bool(result.get("changed"))
    if module.params["state"] in ("bound", "released"):
        moved = ("dry-run",) if module.check_mode else ("bound", "released")
        changed = any(d.get("result") in moved for d in result.get("devices", []))
    answer = dict(changed=changed, result=result, rc=rc, cmd=argv,
                  selection=result.get("selection", []),
                  kernel_flags=result.get("kernel_flags", []))
    if module._diff and result.get("diff"):
        answer["diff"] = dict(prepared=result["diff"])
    if rc != 0:
        # Exit 4 and 6 come with warnings, not errors (a signing left to do, files kept).
        errors = (result.get("errors") or result.get("warnings")
                  or [err.strip() or "exit status %d" % rc])
        if rc == 4 and result.get("bootloader") == "none":
            errors = ["no bootloader recognised: add %s to the kernel command line, or pass "
                      "bootloader: none" % " ".join(result.get("kernel_flags", []))]
        command = {"present": "configure", "absent": "unconfigure", "bound": "bind",
                   "released": "release"}[module.params["state"]]
        module.fail_json(msg="vfio-boot %s failed (exit status %d): %s"
                         % (command, rc, "; ".join(errors)), **answer)
    module.exit_json(**answer)


if __name__ == "__main__":
    main()
