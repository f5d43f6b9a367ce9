// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"

#define HEADER_LEN 110
#define NAME_MAX_LEN 4096 /* PATH_MAX, as the kernel's unpacker allows */
#define BUF_LEN (64 * 1024)

/* A buffered reader that counts what it consumed. */
struct reader {
	const struct vb_cpio_source *src;
	unsigned char buf[BUF_LEN];
	size_t pos, len;
	uint64_t offset;
	bool eof;
};

/* Makes at least want bytes available (fewer only at the end). Returns 0 or -errno. */
static int fill(struct reader *r, size_t want)
{
	if (r->len - r->pos >= want || r->eof)
		return 0;
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (r->len < want && !r->eof) {
		ssize_t n = r->src->read(r->src->ctx, r->buf + r->len, sizeof(r->buf) - r->len);

		if (n < 0)
			return (int)n;
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
	return 0;
}

static size_t avail(const struct reader *r)
{
	return r->len - r->pos;
}

static void consume(struct reader *r, size_t n)
{
	r->pos += n;
	r->offset += n;
}

/* Copies exactly n bytes to out (NULL: drops them). Returns 0, -EBADMSG when short, or -errno. */
static int take(struct reader *r, unsigned char *out, uint64_t n)
{
	while (n > 0) {
		size_t chunk;
		int err = fill(r, 1);

		if (err < 0)
			return err;
		if (avail(r) == 0)
			return -EBADMSG;
		chunk = avail(r) < n ? avail(r) : (size_t)n;
		if (out) {
			memcpy(out, r->buf + r->pos, chunk);
			out += chunk;
		}
		consume(r, chunk);
		n -= chunk;
	}
	return 0;
}

/* Drops the padding that aligns the stream to 4 bytes. */
static int align4(struct reader *r)
{
	return take(r, NULL, (4 - (r->offset & 3)) & 3);
}

static int hex8(const unsigned char *p, uint32_t *value)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 :
					       -1;
		if (d < 0)
			return -EBADMSG;
		v = v << 4 | (uint32_t)d;
	}
	*value = v;
	return 0;
}

static bool is_magic(const unsigned char *p)
{
	return memcmp(p, "07070", 5) == 0 && (p[5] == '1' || p[5] == '2');
}

/* Skips zero bytes (padding between archives). Returns 0 or -errno. */
static int skip_zeros(struct reader *r)
{
	for (;;) {
		int err = fill(r, 1);

		if (err < 0)
			return err;
		if (avail(r) == 0 || r->buf[r->pos] != 0)
			return 0;
		consume(r, 1);
	}
}

static const char *strip_prefix(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else if (name[0] == '.' && name[1] == '\0')
			name++;
		else
			return name;
	}
}

/* One entry after its magic was seen. Returns 1 for a trailer, 0, or -errno. */
static int read_entry(struct reader *r, const struct vb_cpio_visitor *v)
{
	unsigned char hdr[HEADER_LEN];
	uint32_t mode, nlink, size, namesize;
	struct vb_cpio_entry e;
	char *name;
	int want, err = take(r, hdr, sizeof(hdr));

	if (err < 0)
		return err;
	if (hex8(hdr + 14, &mode) < 0 || hex8(hdr + 38, &nlink) < 0 ||
	    hex8(hdr + 54, &size) < 0 || hex8(hdr + 94, &namesize) < 0)
		return -EBADMSG;
	if (namesize == 0 || namesize > NAME_MAX_LEN)
		return -EBADMSG;
	name = malloc(namesize);
	if (!name)
		return -ENOMEM;
	err = take(r, (unsigned char *)name, namesize);
	if (err == 0 && name[namesize - 1] != '\0')
		err = -EBADMSG;
	if (err == 0)
		err = align4(r);
	if (err < 0) {
		free(name);
		return err;
	}
	if (strcmp(name, "TRAILER!!!") == 0) {
		err = take(r, NULL, size);
		err = err < 0 ? err : align4(r);
		free(name);
		return err < 0 ? err : 1;
	}
	e = (struct vb_cpio_entry){ strip_prefix(name), mode, nlink, size };
	want = v->entry ? v->entry(v->ctx, &e) : 0;
	if (want < 0)
		err = want;
	else if (want > 0 && size <= VB_CPIO_DATA_MAX && v->data) {
		unsigned char *data = malloc(size ? size : 1);

		err = data ? take(r, data, size) : -ENOMEM;
		if (err == 0)
			err = v->data(v->ctx, &e, data, size);
		free(data);
	} else {
		err = take(r, NULL, size);
	}
	if (err == 0)
		err = align4(r);
	free(name);
	return err;
}

int vb_cpio_read(const struct vb_cpio_source *src, const struct vb_cpio_visitor *v,
		 struct vb_cpio_end *end)
{
	struct reader *r = calloc(1, sizeof(*r));
	bool in_archive = false;
	int err = r ? 0 : -ENOMEM;

	memset(end, 0, sizeof(*end));
	if (r)
		r->src = src;
	while (err == 0) {
		if (!in_archive)
			err = skip_zeros(r);
		if (err == 0)
			err = fill(r, 6);
		if (err < 0)
			break;
		if (avail(r) == 0) {
			err = in_archive ? -EBADMSG : 0; /* a missing trailer: truncated */
			break;
		}
		if (avail(r) < 6 || !is_magic(r->buf + r->pos)) {
			if (in_archive) {
				err = -EBADMSG;
				break;
			}
			(void)fill(r, sizeof(end->tail)); /* at least one byte is there */
			end->tail_len = avail(r) < sizeof(end->tail) ? avail(r) : sizeof(end->tail);
			memcpy(end->tail, r->buf + r->pos, end->tail_len);
			err = 1;
			break;
		}
		/* The kernel wants every header on a 4-byte boundary. */
		if (r->offset & 3) {
			err = -EBADMSG;
			break;
		}
		err = read_entry(r, v);
		in_archive = err == 0;
		if (err == 1)
			err = 0;
	}
	if (r)
		end->offset = r->offset;
	free(r);
	return err;
}
