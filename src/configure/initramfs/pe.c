// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pe.h"

#define HEAD_MAX (64 * 1024)
#define SECTION_HEADER_LEN 40

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

int vb_pe_section(const unsigned char *head, size_t head_len, uint64_t file_size,
		  const char *name, uint64_t *offset, uint64_t *length)
{
	size_t name_len = strlen(name);
	uint64_t pe, table, sections, opt_size;

	if (head_len < 64 || head[0] != 'M' || head[1] != 'Z')
		return -ENOENT;
	pe = le32(head + 0x3c);
	if (pe > head_len - 24 || memcmp(head + pe, "PE\0\0", 4) != 0)
		return -ENOENT;
	sections = le16(head + pe + 6);
	opt_size = le16(head + pe + 20);
	table = pe + 24 + opt_size;
	if (name_len > 8 || table + sections * SECTION_HEADER_LEN > head_len)
		return -EBADMSG;
	for (uint64_t i = 0; i < sections; i++) {
		const unsigned char *s = head + table + i * SECTION_HEADER_LEN;
		uint64_t virt_size = le32(s + 8), raw_size = le32(s + 16), raw_off = le32(s + 20);

		if (memcmp(s, name, name_len) != 0 || (name_len < 8 && s[name_len] != '\0'))
			continue;
		/* The raw data is padded to the file alignment; the virtual size is exact. */
		*length = virt_size && virt_size < raw_size ? virt_size : raw_size;
		*offset = raw_off;
		if (*length == 0 || raw_off > file_size || *length > file_size - raw_off)
			return -EBADMSG;
		return 0;
	}
	return -ESRCH;
}

int vb_pe_find_initrd(int fd, uint64_t file_size, uint64_t *offset, uint64_t *length)
{
	unsigned char head[HEAD_MAX];
	ssize_t n;
	int err;

	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	err = vb_pe_section(head, (size_t)n, file_size, ".initrd", offset, length);
	return err == -ESRCH ? -EBADMSG : err;
}

bool vb_pe_is_signed(const unsigned char *head, size_t head_len)
{
	uint64_t pe, opt, dirs, count;

	if (head_len < 64 || head[0] != 'M' || head[1] != 'Z')
		return false;
	pe = le32(head + 0x3c);
	if (pe > head_len - 24 || memcmp(head + pe, "PE\0\0", 4) != 0)
		return false;
	opt = pe + 24;
	if (opt + 2 > head_len)
		return false;
	/* The data directories follow the optional header's fixed part. */
	if (le16(head + opt) == 0x20b) {
		dirs = opt + 112;
		count = opt + 108 + 4 <= head_len ? le32(head + opt + 108) : 0;
	} else if (le16(head + opt) == 0x10b) {
		dirs = opt + 96;
		count = opt + 92 + 4 <= head_len ? le32(head + opt + 92) : 0;
	} else {
		return false;
	}
	/* Entry 4 is the certificate table: (file offset, size). */
	return count > 4 && dirs + 5 * 8 <= head_len && le32(head + dirs + 4 * 8 + 4) > 0;
}
