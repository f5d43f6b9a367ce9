/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The sections of a PE/COFF file, as far as a unified kernel image needs:
 * its initramfs is the .initrd section.
 */

/*
 * Finds section name (up to 8 bytes) in the PE headers at the start of a
 * file (head, head_len bytes of it) of file_size bytes. Returns 0 with the
 * section's file offset and length, -ENOENT when head is not a PE file,
 * -ESRCH when it has no such section, -EBADMSG for headers or a section
 * that do not fit.
 */
int vb_pe_section(const unsigned char *head, size_t head_len, uint64_t file_size,
		  const char *name, uint64_t *offset, uint64_t *length);

/*
 * For the file fd: when it is a PE file, the window of its .initrd section
 * (0, -EBADMSG when it has none); -ENOENT when it is not a PE file.
 */
int vb_pe_find_initrd(int fd, uint64_t file_size, uint64_t *offset, uint64_t *length);

/*
 * True when the PE file whose headers are in head carries an Authenticode
 * signature (a certificate table): a Secure Boot signed image.
 */
bool vb_pe_is_signed(const unsigned char *head, size_t head_len);
