// SPDX-License-Identifier: GPL-2.0
/*
 * tests/system only: a stand-in vfio-pci variant driver. Its ID table is
 * override-only (PCI_DRIVER_OVERRIDE_DEVICE_VFIO), so modpost writes a
 * "vfio_pci:" alias and the driver binds QEMU's pci-testdev (1b36:0005)
 * only through driver_override. The driver's name differs from the
 * module's, as nvgrace-gpu-vfio-pci's does.
 */
#include <linux/module.h>
#include <linux/pci.h>

static int vbtest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	dev_info(&pdev->dev, "vfio-boot test variant bound\n");
	return 0;
}

static void vbtest_remove(struct pci_dev *pdev)
{
}

static const struct pci_device_id vbtest_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1b36, 0x0005) },
	{}
};
MODULE_DEVICE_TABLE(pci, vbtest_ids);

static struct pci_driver vbtest_driver = {
	.name = "vbtest-variant",
	.id_table = vbtest_ids,
	.probe = vbtest_probe,
	.remove = vbtest_remove,
	.driver_managed_dma = true,
};
module_pci_driver(vbtest_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfio-boot test: a vfio-pci variant stand-in");
