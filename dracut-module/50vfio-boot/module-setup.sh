#!/bin/sh
# dracut module: bind the devices selected in /etc/vfio-boot.conf (or by
# vfio_boot.* on the kernel command line) to vfio-pci from a pre-udev hook,
# before udev's coldplug loads their native drivers. Works with and without
# dracut's systemd module (dracut-pre-udev.service is ordered before
# systemd-udevd.service).
#
# `make install` fills in the binder's path below (its SBINDIR). The image
# always gets /usr/sbin/vfio-boot-bind and /etc/vfio-boot.conf.
# VFIO_BOOT_BIND and VFIO_BOOT_CONF override the source paths (tests only).

# called by dracut
check() {
    # Included by default whenever the binder is installed: without it the
    # hook would have nothing to run.
    [ -x "${VFIO_BOOT_BIND:-@SBINDIR@/vfio-boot-bind}" ] || return 1
    return 0
}

# called by dracut
depends() {
    return 0
}

# called by dracut
installkernel() {
    # vfio-pci's modalias matches no device, so hostonly instmods would drop
    # it; force it in. instmods resolves dependencies and softdeps.
    hostonly='' instmods vfio-pci

    # The modules driver= (vfio-pci variants) and preload= (vendor-reset)
    # name, as the binder reads its file. One this kernel lacks is left out
    # with a warning: the image still boots, and the binder gives the
    # function to vfio-pci and says why.
    _vfio_boot_conf=${VFIO_BOOT_CONF:-/etc/vfio-boot.conf}
    if [ -e "$_vfio_boot_conf" ]; then
        for _vfio_boot_module in $("${VFIO_BOOT_BIND:-@SBINDIR@/vfio-boot-bind}" \
            --config "$_vfio_boot_conf" --print-modules); do
            # shellcheck disable=SC2154 # kernel is set by dracut
            hostonly='' instmods -c -s "$_vfio_boot_module" ||
                dwarn "vfio-boot: no module $_vfio_boot_module for kernel $kernel (named in $_vfio_boot_conf)"
        done
    fi
    unset _vfio_boot_conf _vfio_boot_module
}

# called by dracut
install() {
    inst_binary "${VFIO_BOOT_BIND:-@SBINDIR@/vfio-boot-bind}" /usr/sbin/vfio-boot-bind

    _vfio_boot_conf=${VFIO_BOOT_CONF:-/etc/vfio-boot.conf}
    if [ -e "$_vfio_boot_conf" ]; then
        inst_simple "$_vfio_boot_conf" /etc/vfio-boot.conf
    fi
    unset _vfio_boot_conf

    # shellcheck disable=SC2154 # moddir is set by dracut
    inst_hook pre-udev 05 "$moddir/vfio-boot-pre-udev.sh"
}
