/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A reader of the cpio archives an initramfs is made of: the "newc" format
 * (magic 070701, or 070702 with checksums), one archive after another with
 * zero padding between them, as the kernel unpacks them. It reads from any
 * byte source (a file, a decompressor's pipe, memory) and hands each entry
 * to a visitor, which decides whether it wants the entry's data.
 */

/* Largest entry data handed to a visitor; larger entries are skipped. */
#define VB_CPIO_DATA_MAX (256 * 1024)

struct vb_cpio_source {
	/* Reads up to len bytes into buf. Returns the count, 0 at the end, or -errno. */
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	void *ctx;
};

struct vb_cpio_entry {
	const char *name; /* without leading "./" or "/"; "" for the top directory */
	uint32_t mode;    /* type and permission bits, as st_mode */
	uint32_t nlink;
	uint64_t size;    /* bytes of data (a symlink's data is its target) */
};

struct vb_cpio_visitor {
	/*
	 * Called for every entry but the trailers. Returns 1 to be handed the
	 * data (when it is at most VB_CPIO_DATA_MAX bytes), 0 to skip it, or
	 * -errno to stop reading with that error.
	 */
	int (*entry)(void *ctx, const struct vb_cpio_entry *e);
	/* The data of a wanted entry. Returns 0, or -errno to stop. */
	int (*data)(void *ctx, const struct vb_cpio_entry *e, const unsigned char *data, size_t len);
	void *ctx;
};

/* Where reading stopped. */
struct vb_cpio_end {
	uint64_t offset;         /* bytes of archives and padding read */
	unsigned char tail[8];   /* the first bytes after them, when reading stopped there */
	size_t tail_len;
};

/*
 * Reads archives from src until its end, or until something that is not a
 * cpio header follows a complete archive (a compressed part). Returns 0 at
 * the end of the input after complete archives, 1 when stopped before other
 * data (end->offset is where it starts, end->tail its first bytes), -EBADMSG
 * for a malformed or truncated archive, or the source's or visitor's error.
 */
int vb_cpio_read(const struct vb_cpio_source *src, const struct vb_cpio_visitor *v,
		 struct vb_cpio_end *end);
