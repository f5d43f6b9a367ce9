#!/bin/sh
# dracut pre-udev hook (sourced, not executed): bind the selected devices to
# vfio-pci before udevd starts. The binder reads the kernel command line
# (vfio_boot.*) itself and never fails the boot; neither does this hook.
# Nor does it stall it: the binder bounds everything it waits for itself
# (modprobe vfio-pci is killed after 10 s, or vfio_boot.modprobe_timeout=),
# so the hook needs no time limit of its own.
# --quiet: log to /dev/kmsg only (under systemd, stderr would go to the
# journal and back to the console as a second copy of every line).

if [ -x /usr/sbin/vfio-boot-bind ]; then
    /usr/sbin/vfio-boot-bind --quiet || :
fi
:
