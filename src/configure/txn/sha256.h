/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4): the journal's record checksums and the hashes of the
 * bytes configure wrote, by which unconfigure tells that a file changed since.
 */
#define VB_SHA256_LEN 32
#define VB_SHA256_HEX (VB_SHA256_LEN * 2 + 1)

struct vb_sha256 {
	uint32_t state[8];
	uint64_t bytes;      /* message length so far */
	uint8_t block[64];
	size_t used;         /* bytes waiting in block */
};

void vb_sha256_init(struct vb_sha256 *ctx);
void vb_sha256_update(struct vb_sha256 *ctx, const void *data, size_t len);
void vb_sha256_final(struct vb_sha256 *ctx, uint8_t digest[VB_SHA256_LEN]);

/* vb_sha256_final as 64 lowercase hex digits and a NUL. */
void vb_sha256_final_hex(struct vb_sha256 *ctx, char hex[VB_SHA256_HEX]);

/* The digest of len bytes at data as 64 lowercase hex digits and a NUL. */
void vb_sha256_hex(const void *data, size_t len, char hex[VB_SHA256_HEX]);
