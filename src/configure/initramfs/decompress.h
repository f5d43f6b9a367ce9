/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The compressions an initramfs part can have, and the tools that undo them. */
enum vb_compression {
	VB_COMPRESSION_NONE,
	VB_COMPRESSION_GZIP,
	VB_COMPRESSION_ZSTD,
	VB_COMPRESSION_XZ,
	VB_COMPRESSION_LZMA,
	VB_COMPRESSION_LZ4,
	VB_COMPRESSION_BZIP2,
	VB_COMPRESSION_LZO,
};

/* The compression whose magic starts p (len bytes); NONE when none is known. */
enum vb_compression vb_compression_detect(const unsigned char *p, size_t len);

/* "zstd", "gzip"...: the program that decompresses it. */
const char *vb_compression_tool(enum vb_compression c);

/*
 * What one compressed part may cost: no more output than VB_DECOMPRESS_BASE
 * plus VB_DECOMPRESS_RATIO times its compressed size, and never more than
 * VB_DECOMPRESS_MAX, within VB_DECOMPRESS_TIMEOUT_S seconds in all. Real
 * images decompress to 3 to 5 times their size; a crafted one that would
 * give gigabytes from kilobytes (a "bomb") is cut off after a few MB.
 */
#define VB_DECOMPRESS_BASE (64ULL << 20)
#define VB_DECOMPRESS_RATIO 16
#define VB_DECOMPRESS_MAX (2ULL << 30)
#define VB_DECOMPRESS_TIMEOUT_S 60

/* The output bound of a part of compressed bytes. */
uint64_t vb_decompress_budget(uint64_t compressed);

/* A decompressor running on the host, reading in_fd and writing a pipe. */
struct vb_decompressor {
	pid_t pid;
	int out;            /* its standard output */
	int exec_report;    /* tells why exec failed, if it did */
	uint64_t total;     /* bytes read so far */
	uint64_t max;       /* the most it may give */
	long long deadline; /* when it must be done (CLOCK_MONOTONIC, ms) */
	const char *tool;
};

/*
 * Starts the tool for c with standard input in_fd (read from its present
 * offset) and standard error discarded; it may give max bytes within
 * timeout_ms. Returns 0 or -errno.
 */
int vb_decompress_start(struct vb_decompressor *d, enum vb_compression c, int in_fd,
			uint64_t max, unsigned timeout_ms);

/*
 * A vb_cpio_source read function on a struct vb_decompressor: returns the
 * count, 0 at the end, -ETIMEDOUT once its time is up, -EFBIG once it gave
 * more than its max bytes.
 */
ssize_t vb_decompress_read(void *decompressor, void *buf, size_t len);

/*
 * Stops the tool (killed if it is still running) and reaps it, waiting at
 * most VB_RUN_KILL_GRACE_MS (a process stuck in the kernel cannot die; it
 * is left behind). Returns its exit status, 128 + the signal that ended it,
 * -ENOENT when the tool is not installed, -ETIMEDOUT when it could not be
 * reaped, or -errno.
 */
int vb_decompress_finish(struct vb_decompressor *d);
