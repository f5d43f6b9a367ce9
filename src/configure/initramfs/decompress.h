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

/* A decompressor running on the host, reading in_fd and writing a pipe. */
struct vb_decompressor {
	pid_t pid;
	int out;          /* its standard output */
	int exec_report;  /* tells why exec failed, if it did */
	uint64_t total;   /* bytes read so far */
	const char *tool;
};

/*
 * Starts the tool for c with standard input in_fd (read from its present
 * offset) and standard error discarded. Returns 0 or -errno.
 */
int vb_decompress_start(struct vb_decompressor *d, enum vb_compression c, int in_fd);

/*
 * A vb_cpio_source read function on a struct vb_decompressor: returns the
 * count, 0 at the end, -ETIMEDOUT when the tool writes nothing for
 * VB_DECOMPRESS_STALL_S seconds, -EFBIG past VB_DECOMPRESS_MAX bytes.
 */
ssize_t vb_decompress_read(void *decompressor, void *buf, size_t len);

#define VB_DECOMPRESS_STALL_S 60
#define VB_DECOMPRESS_MAX (4ULL << 30)

/*
 * Stops the tool (killed if it is still running) and reaps it. Returns its
 * exit status, 128 + the signal that ended it, -ENOENT when the tool is not
 * installed, or -errno.
 */
int vb_decompress_finish(struct vb_decompressor *d);
