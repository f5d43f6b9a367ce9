/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "hostdevs.h"
#include "hostinfo.h"
#include "kmodinfo.h"
#include "strv.h"
#include "pci.h"
#include "pcinames.h"
#include "root.h"

/* Exit statuses of vfio-boot, documented in its --help and the README. */
enum vb_exit {
	VB_EXIT_OK = 0,
	VB_EXIT_FAILED = 1,        /* a write or a command failed; changes rolled back; or a
				      file could not be read (an I/O error), nothing written */
	VB_EXIT_USAGE = 2,         /* bad option or selector; nothing written */
	VB_EXIT_NOT_READY = 3,     /* check/status: the machine is not as it should be */
	VB_EXIT_NO_BOOTLOADER = 4, /* configure: flags, a bootloader refresh or a signing left
				      for the user (printed) */
	VB_EXIT_NEED_ROOT = 5,     /* changing a real system needs root */
	VB_EXIT_KEPT = 6,          /* unconfigure: files changed since configure were left,
				      their originals kept beside them */
	VB_EXIT_JOURNAL = 7,       /* the journal is damaged: nothing was changed */
	VB_EXIT_BUSY = 8,          /* another vfio-boot kept the tree locked too long */
	VB_EXIT_IN_USE = 9,        /* release: a process (a VM) holds the group's /dev/vfio/N
				      open; nothing changed */
};

/* Command-line settings shared by every command. */
struct cli {
	struct vb_root root;     /* the host's "/" unless --root */
	bool json;
	bool dry_run;
	bool force;              /* configure: accept selectors that match nothing, a
				    split IOMMU group, the host's disk or network */
	bool all_matching;       /* configure: an ID may select several cards */
	bool blacklist;          /* configure: blacklist claiming modules */
	bool regenerate;         /* configure/unconfigure: rebuild the initramfs */
	const char *bootloader;  /* NULL: detect */
	const char *cpu;         /* NULL: from ROOT/proc/cpuinfo */
	const char *companions;  /* NULL: slot */
	const char *boot_vga;    /* NULL: refuse */
	unsigned wait;           /* seconds to wait for another run's lock */
#define CLI_VFS_MAX 16
	const char *vfs[CLI_VFS_MAX]; /* configure --vfs N@ADDRESS, in order */
	int nvfs;
	struct vb_strv device_keys; /* configure: --driver, --reset-method, --preload, as
				       config lines ("driver=vfio-pci") */
	char **args;             /* command arguments after the options */
	int nargs;
};

/* What can be learnt about the machine (or tree) under the root. */
struct machine {
	bool have_sys;              /* ROOT/sys/bus/pci/devices is readable */
	struct vb_snapshot snap;
	struct vb_kmod kmod;        /* installed kernels' module indexes */
	struct vb_strv *claimants;  /* per function: modules that would claim it (empty
				       unless loaded with_claimants) */
	struct vb_pcinames *names;
	struct vb_host_devices host; /* what the running system needs (disk, network) */
};

/* What machine_load reads beyond the functions and their details. */
enum machine_parts {
	MACHINE_CLAIMANTS = 1 << 0, /* each function's modalias resolved with libkmod */
	MACHINE_ROOT_BUS = 1 << 1,  /* whether each function sits on a root bus (planning) */
};

/* Reads the machine, with the parts asked for. Returns 0 or -errno (after printing why). */
int machine_load(const struct cli *cli, struct machine *m, unsigned parts);
void machine_free(struct machine *m);

/*
 * The message sink: every line the configurator says goes through these
 * functions, never to stdout by hand. Text goes to the text output: stdout,
 * or stderr once cli_text_to_stderr was called (--json: stdout holds the one
 * JSON object).
 */

/* The text output: stdout, or stderr under --json. */
FILE *cli_text(void);

/* Sends the text output to stderr from now on (--json). */
void cli_text_to_stderr(void);

/* Prints on the text output, as it is (a line of a command's own output). */
void cli_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What a message is, and where it goes. */
enum cli_msg_kind {
	CLI_MSG_ERROR,      /* "vfio-boot: MESSAGE" on stderr */
	CLI_MSG_OVERRIDDEN, /* the same, for a problem an option (--force) lets the run go on despite */
	CLI_MSG_NOTE,       /* "note: MESSAGE" on the text output */
	CLI_MSG_WARNING,    /* "warning: MESSAGE" on the text output */
	CLI_MSG_PROGRESS,   /* "MESSAGE" on the text output: what is being done ("running: update-grub") */
};

/* Says one message of its kind (the log rule applied), and hands it to the sink. */
void cli_say(enum cli_msg_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cli_error(...) cli_say(CLI_MSG_ERROR, __VA_ARGS__)
#define cli_error_overridden(...) cli_say(CLI_MSG_OVERRIDDEN, __VA_ARGS__)
#define cli_note(...) cli_say(CLI_MSG_NOTE, __VA_ARGS__)
#define cli_warning(...) cli_say(CLI_MSG_WARNING, __VA_ARGS__)
#define cli_progress(...) cli_say(CLI_MSG_PROGRESS, __VA_ARGS__)

/*
 * Sets (or, with NULL, clears) the one function that also gets every message
 * cli_say says (--json collects them).
 */
void cli_set_msg_sink(void (*sink)(void *ctx, enum cli_msg_kind kind, const char *msg),
		      void *ctx);

/*
 * After the host facts were read (hostinfo.h): prints one line naming the
 * file an error other than "no such file" came from. Returns 0 or its -errno.
 */
int cli_host_read_error(const struct cli *cli);

/* Refuses (after saying so) to change the host's own system without root. Returns 0 or -EPERM. */
int cli_refuse_without_root(const struct cli *cli);

/* Reads ROOT/etc/vfio-boot.conf into cfg (problems are kept in cfg). */
int cli_read_config(const struct cli *cli, struct vb_config *cfg, bool *exists);

int cmd_list(const struct cli *cli);
int cmd_check(const struct cli *cli);
int cmd_status(const struct cli *cli);
int cmd_configure(const struct cli *cli);
int cmd_unconfigure(const struct cli *cli);
int cmd_bind(const struct cli *cli);
int cmd_release(const struct cli *cli);
