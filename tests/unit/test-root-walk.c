// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fallback walk against openat2 RESOLVE_IN_ROOT: two copies of one
 * generated tree (directories, files, FIFOs, links absolute and relative,
 * chains, loops, dangling links, links with "..", "." and trailing slashes),
 * many generated paths opened with many flag sets through each, and the
 * results compared: the same error, or the same file (by its path in the
 * tree), and for creating opens the same file created.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "root.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-walk.XXXXXX";
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	return unit_rand(&rng_state, n);
}

/* Names the tree is made of, and the paths are made of. */
static const char *const names[] = { "a", "b", "c", "d", "f", "g", "l", "m", "n", "p" };
#define NAMES (ARRAY_SIZE(names))

/* Fills buf with a random path of up to depth components. */
static void random_path(char *buf, size_t size, unsigned depth, bool for_link)
{
	size_t len = 0;
	unsigned n = 1 + rnd(depth);

	buf[0] = '\0';
	if (rnd(4) == 0)
		len += (size_t)snprintf(buf + len, size - len, "/");
	for (unsigned i = 0; i < n && len < size - 16; i++) {
		unsigned pick = rnd(NAMES + 6);
		const char *c = pick < NAMES ? names[pick] : pick < NAMES + 3 ? ".." :
							  pick < NAMES + 4 ? "." : "";

		if (!for_link && pick == NAMES + 5)
			c = "zz"; /* a name that never exists */
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "/" : "", c);
	}
	if (rnd(6) == 0)
		snprintf(buf + len, size - len, "/");
	if (rnd(12) == 0 && len + 2 < size)
		snprintf(buf + strlen(buf), size - strlen(buf), "//");
}

/*
 * The parent directory of rel below tree, reached through no symlink at all
 * (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): building the tree must
 * not follow the links it has made out of it. Sets *base to the last name.
 */
static int parent_beneath(const char *tree, char *rel, const char **base)
{
	struct {
		unsigned long long flags, mode, resolve;
	} how = { O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0x08 | 0x04 };
	char *slash = strrchr(rel, '/');
	int top_fd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long fd;

	if (top_fd < 0)
		return -1;
	*base = slash ? slash + 1 : rel;
	if (slash)
		*slash = '\0';
	fd = syscall(437, top_fd, slash ? rel : ".", &how, sizeof(how));
	if (slash)
		*slash = '/';
	close(top_fd);
	return (int)fd;
}

/* Creates the same random tree under both a and b. */
static void build(const char *a, const char *b)
{
	char rel[PATH_MAX], target[PATH_MAX];
	const char *tops[2] = { a, b };

	for (unsigned i = 0; i < 400; i++) {
		unsigned kind = rnd(10);

		random_path(rel, sizeof(rel), 3, false);
		if (!rel[0] || strstr(rel, "..") || strstr(rel, "/./") || rel[0] == '.' ||
		    rel[0] == '/' || rel[strlen(rel) - 1] == '/' || strstr(rel, "//") ||
		    strstr(rel, "zz"))
			continue;
		if (kind >= 5)
			random_path(target, sizeof(target), 4, true);
		for (int t = 0; t < 2; t++) {
			const char *base;
			int dir = parent_beneath(tops[t], rel, &base);

			if (dir < 0)
				continue;
			if (kind < 3) {
				mkdirat(dir, base, 0755);
			} else if (kind < 4) {
				int fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);

				if (fd >= 0) {
					if (write(fd, rel, strlen(rel)) < 0)
						unit_failed++;
					close(fd);
				}
			} else if (kind < 5) {
				mkfifoat(dir, base, 0644);
			} else {
				if (target[0] == '\0')
					snprintf(target, sizeof(target), "l");
				symlinkat(target, dir, base);
			}
			close(dir);
		}
	}
}

/* What an open gave: "-errno", or the opened file's path below the tree. */
static void outcome(int fd, const char *tree, char *buf, size_t size)
{
	char proc[64], real[PATH_MAX];
	ssize_t n;

	if (fd < 0) {
		snprintf(buf, size, "%s", strerror(-fd));
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof(real) - 1);
	real[n > 0 ? n : 0] = '\0';
	if (strncmp(real, tree, strlen(tree)) == 0)
		snprintf(buf, size, "=%s", real[strlen(tree)] ? real + strlen(tree) : "/");
	else
		snprintf(buf, size, "OUTSIDE %s", real);
	close(fd);
}

static const struct {
	int flags;
	const char *name;
} flag_sets[] = {
	{ O_RDONLY, "O_RDONLY" },
	{ O_RDONLY | O_NOFOLLOW, "O_RDONLY|O_NOFOLLOW" },
	{ O_RDONLY | O_EXCL, "O_RDONLY|O_EXCL" },
	{ O_RDONLY | O_DIRECTORY, "O_DIRECTORY" },
	{ O_RDONLY | O_DIRECTORY | O_NOFOLLOW, "O_DIRECTORY|O_NOFOLLOW" },
	{ O_PATH, "O_PATH" },
	{ O_PATH | O_NOFOLLOW, "O_PATH|O_NOFOLLOW" },
	{ O_PATH | O_DIRECTORY, "O_PATH|O_DIRECTORY" },
	{ O_WRONLY, "O_WRONLY" },
	{ O_WRONLY | O_CREAT, "O_CREAT" },
	{ O_WRONLY | O_CREAT | O_EXCL, "O_CREAT|O_EXCL" },
	{ O_WRONLY | O_CREAT | O_NOFOLLOW, "O_CREAT|O_NOFOLLOW" },
	{ O_WRONLY | O_CREAT | O_TRUNC, "O_CREAT|O_TRUNC" },
};
#define FLAG_SETS (ARRAY_SIZE(flag_sets))

static long openat2_available(int dirfd)
{
	struct {
		unsigned long long flags, mode, resolve;
	} how = { O_PATH, 0, 0x10 };
	long fd = syscall(437, dirfd, ".", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return fd >= 0;
}

static unsigned shown;

/* Opens rel with flags (named as label) through both, and compares. */
static void compare_as(const struct vb_root *ra, const struct vb_root *rb, const char *rel,
		       int flags, const char *label)
{
	char got_a[PATH_MAX + 32], got_b[PATH_MAX + 32];

	/* Nothing may wait for a FIFO's other end. */
	flags |= flags & O_PATH ? 0 : O_NONBLOCK;

	outcome(vb_root_open(ra, rel, flags, 0644), ra->path, got_a, sizeof(got_a));
	outcome(vb_root_open_walk(rb, rel, flags, 0644), rb->path, got_b, sizeof(got_b));
	if (strcmp(got_a, got_b) == 0 && strncmp(got_a, "OUTSIDE", 7) != 0) {
		unit_passed++;
		return;
	}
	unit_failed++;
	if (shown++ < 25)
		fprintf(stderr, "  '%.80s%s' %s: openat2 %s, walk %s\n", rel,
			strlen(rel) > 80 ? "..." : "", label, got_a, got_b);
}

#define compare(ra, rb, rel, flags) compare_as(ra, rb, rel, flags, #flags)

/* Makes the same symlink at rel (a top-level name) in both trees. */
static void link_both(const struct vb_root *ra, const struct vb_root *rb, const char *target,
		      const char *rel)
{
	CHECK(symlinkat(target, ra->fd, rel) == 0);
	CHECK(symlinkat(target, rb->fd, rel) == 0);
}

/*
 * Chains at the kernel's limit of 40 links and one past it; link bodies and
 * paths near PATH_MAX, alone and spliced into each other.
 */
static void limits(const struct vb_root *ra, const struct vb_root *rb)
{
	static char rel[PATH_MAX + 64], body[PATH_MAX];
	char name[32], target[32];
	size_t len = 0;

	CHECK(mkdirat(ra->fd, "top-dir", 0755) == 0 && mkdirat(rb->fd, "top-dir", 0755) == 0);
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), i == 40 ? "top-dir" : "/chain%d", i + 1);
		link_both(ra, rb, target, name);
	}
	compare(ra, rb, "chain1", O_RDONLY);	   /* 40 links */
	compare(ra, rb, "chain0", O_RDONLY);	   /* 41 links */
	compare(ra, rb, "chain1/..", O_PATH);   /* 40 links, then ".." */
	compare(ra, rb, "chain0/x", O_WRONLY | O_CREAT | O_EXCL);	   /* 41 links, creating */
	compare(ra, rb, "chain2/x", O_WRONLY | O_CREAT);	   /* 39 links, creating */

	/* A path of PATH_MAX - 1 bytes, and of PATH_MAX, made of "./". */
	memset(rel, 0, sizeof(rel));
	for (len = 0; len < PATH_MAX - 8; len += 2)
		memcpy(rel + len, "./", 2);
	snprintf(rel + len, sizeof(rel) - len, "top-dir");
	rel[PATH_MAX - 1] = '\0';
	compare(ra, rb, rel, O_DIRECTORY | O_NOFOLLOW);
	rel[PATH_MAX - 1] = 'r';
	rel[PATH_MAX] = '\0';
	compare(ra, rb, rel, O_DIRECTORY | O_NOFOLLOW);
	/* The same, with leading slashes before it, which openat2 never sees. */
	memmove(rel + 4, rel, PATH_MAX - 4);
	memcpy(rel, "////", 4);
	rel[PATH_MAX] = '\0';
	compare(ra, rb, rel, O_DIRECTORY | O_NOFOLLOW);
	/* A name of NAME_MAX + 1 bytes. */
	memset(rel, 'a', NAME_MAX + 1);
	rel[NAME_MAX + 1] = '\0';
	compare(ra, rb, rel, O_RDONLY);
	compare(ra, rb, rel, O_WRONLY | O_CREAT);

	/* Link bodies of nearly PATH_MAX bytes, several in one lookup. */
	for (len = 0; len < PATH_MAX - 16; len += 2)
		memcpy(body + len, "./", 2);
	snprintf(body + len, sizeof(body) - len, "long2");
	link_both(ra, rb, body, "long1");
	snprintf(body + len, sizeof(body) - len, "long3");
	link_both(ra, rb, body, "long2");
	snprintf(body + len, sizeof(body) - len, "top-dir");
	link_both(ra, rb, body, "long3");
	for (len = 0; len < PATH_MAX - 32; len += 2)
		memcpy(rel + len, "./", 2);
	snprintf(rel + len, sizeof(rel) - len, "long1/.");
	compare(ra, rb, rel, O_DIRECTORY | O_NOFOLLOW);
	compare(ra, rb, "long1/../long1/new", O_WRONLY | O_CREAT);
	/* A link in the middle of a long body, itself long: the rest piles up. */
	memcpy(body, "mid2/", 5);
	snprintf(body + len, sizeof(body) - len, "top-dir");
	link_both(ra, rb, body, "mid1");
	for (len = 0; len < PATH_MAX - 16; len += 2)
		memcpy(body + len, "./", 2);
	snprintf(body + len, sizeof(body) - len, "..");
	link_both(ra, rb, body, "mid2");
	memcpy(rel, "mid1/", 5);
	compare(ra, rb, rel, O_DIRECTORY | O_NOFOLLOW);
}

int main(int argc, char **argv)
{
	char a[PATH_MAX], b[PATH_MAX], rel[PATH_MAX], cmd[PATH_MAX + 128];
	struct vb_root ra, rb;

	if (argc > 1) /* another tree and other paths, for a longer hunt */
		rng_state = strtoull(argv[1], NULL, 0) | 1;
	if (!mkdtemp(top))
		return 1;
	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/b", top);
	if (mkdir(a, 0755) < 0 || mkdir(b, 0755) < 0)
		return 1;
	build(a, b);
	CHECK(vb_root_init(&ra, a) == 0);
	CHECK(vb_root_init(&rb, b) == 0);
	/* The comparison means something only where the kernel has openat2. */
	CHECK(openat2_available(ra.fd));

	for (unsigned i = 0; i < 6000; i++) {
		unsigned f;

		random_path(rel, sizeof(rel), 6, false);
		f = rnd(FLAG_SETS);
		compare_as(&ra, &rb, rel, flag_sets[f].flags, flag_sets[f].name);
	}
	limits(&ra, &rb);

	/* Whatever the creating opens made, they made in the same places. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && find . -printf '%%P %%y %%l\\n' | sort >../a.list", a);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && find . -printf '%%P %%y %%l\\n' | sort >../b.list", b);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && diff a.list b.list >&2", top);
	CHECK(system(cmd) == 0);

	vb_root_fini(&ra);
	vb_root_fini(&rb);
	/* A failing run leaves its tree for a look. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (unit_failed)
		fprintf(stderr, "  the trees are in %s\n", top);
	else if (system(cmd) != 0)
		return 1;
	return unit_report("root-walk");
}
