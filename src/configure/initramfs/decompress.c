// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "decompress.h"
#include "run.h"

static const struct {
	unsigned char magic[6];
	size_t len;
	enum vb_compression c;
} magics[] = {
	{ { 0x1f, 0x8b }, 2, VB_COMPRESSION_GZIP },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, VB_COMPRESSION_ZSTD },
	{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, VB_COMPRESSION_XZ },
	{ { 0x5d, 0x00, 0x00 }, 3, VB_COMPRESSION_LZMA },
	{ { 0x02, 0x21, 0x4c, 0x18 }, 4, VB_COMPRESSION_LZ4 }, /* legacy, as the kernel uses */
	{ { 0x04, 0x22, 0x4d, 0x18 }, 4, VB_COMPRESSION_LZ4 }, /* frame */
	{ { 'B', 'Z', 'h' }, 3, VB_COMPRESSION_BZIP2 },
	{ { 0x89, 'L', 'Z', 'O' }, 4, VB_COMPRESSION_LZO },
};

/* Each tool writes what it decompressed to stdout, quietly. */
static const char *const tools[][4] = {
	[VB_COMPRESSION_NONE] = { NULL },
	[VB_COMPRESSION_GZIP] = { "gzip", "-dcq", NULL },
	[VB_COMPRESSION_ZSTD] = { "zstd", "-dcq", NULL },
	[VB_COMPRESSION_XZ] = { "xz", "-dcq", NULL },
	[VB_COMPRESSION_LZMA] = { "xz", "--format=lzma", "-dcq", NULL },
	[VB_COMPRESSION_LZ4] = { "lz4", "-dcq", NULL },
	[VB_COMPRESSION_BZIP2] = { "bzip2", "-dcq", NULL },
	[VB_COMPRESSION_LZO] = { "lzop", "-dcq", NULL },
};

enum vb_compression vb_compression_detect(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++)
		if (len >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0)
			return magics[i].c;
	return VB_COMPRESSION_NONE;
}

const char *vb_compression_tool(enum vb_compression c)
{
	return tools[c][0] ? tools[c][0] : "none";
}

uint64_t vb_decompress_budget(uint64_t compressed)
{
	uint64_t max = VB_DECOMPRESS_MAX;

	if (compressed < (max - VB_DECOMPRESS_BASE) / VB_DECOMPRESS_RATIO)
		max = VB_DECOMPRESS_BASE + compressed * VB_DECOMPRESS_RATIO;
	return max;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vb_decompress_start(struct vb_decompressor *d, enum vb_compression c, int in_fd,
			uint64_t max, unsigned timeout_ms)
{
	int out[2], report[2], err;

	memset(d, 0, sizeof(*d));
	d->pid = -1;
	d->out = d->exec_report = -1;
	d->tool = vb_compression_tool(c);
	d->max = max;
	d->deadline = now_ms() + timeout_ms;
	if (c == VB_COMPRESSION_NONE)
		return -EINVAL;
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(report, O_CLOEXEC) < 0) {
		err = -errno;
		close(out[0]);
		close(out[1]);
		return err;
	}
	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0) {
		err = -errno;
		close(out[0]);
		close(out[1]);
		close(report[0]);
		close(report[1]);
		return err;
	}
	if (d->pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		close(out[0]);
		close(report[0]);
		if (dup2(in_fd, 0) < 0 || dup2(out[1], 1) < 0 || (null >= 0 && dup2(null, 2) < 0)) {
			err = errno;
		} else {
			execvp(tools[c][0], (char *const *)tools[c]);
			err = errno;
		}
		while (write(report[1], &err, sizeof(err)) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(out[1]);
	close(report[1]);
	d->out = out[0];
	d->exec_report = report[0];
	return 0;
}

ssize_t vb_decompress_read(void *decompressor, void *buf, size_t len)
{
	struct vb_decompressor *d = decompressor;
	struct pollfd pfd = { .fd = d->out, .events = POLLIN };
	ssize_t n;
	int ready;

	if (d->total > d->max)
		return -EFBIG;
	/* One byte more than max tells a part that is too large from one that is just max. */
	if (len > d->max - d->total + 1)
		len = (size_t)(d->max - d->total + 1);
	do {
		long long left = d->deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		ready = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
	} while ((ready < 0 && errno == EINTR) || ready == 0);
	if (ready < 0)
		return -errno;
	do
		n = read(d->out, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	d->total += (uint64_t)n;
	return d->total > d->max ? -EFBIG : n;
}

int vb_decompress_finish(struct vb_decompressor *d)
{
	int status = 0, exec_err = 0, err;
	ssize_t n = 0;

	if (d->pid <= 0)
		return -ECHILD;
	if (d->out >= 0)
		close(d->out);
	/* A tool still writing gets SIGPIPE; one that hangs is killed, and waited for a while. */
	kill(d->pid, SIGKILL);
	err = vb_run_reap(d->pid, &status, VB_RUN_KILL_GRACE_MS);
	if (err == 0 && d->exec_report >= 0) {
		do
			n = read(d->exec_report, &exec_err, sizeof(exec_err));
		while (n < 0 && errno == EINTR);
	}
	if (d->exec_report >= 0)
		close(d->exec_report);
	d->pid = -1;
	d->out = d->exec_report = -1;
	if (err < 0)
		return err;
	if (n == (ssize_t)sizeof(exec_err))
		return -exec_err;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
