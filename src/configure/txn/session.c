// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outcome.h"
#include "session.h"
#include "statedir.h"

void session_engine(const struct cli *cli, struct vb_engine *engine)
{
	engine->root = &cli->root;
	engine->hooks = NULL;
	engine->run_commands = cli->root.host || geteuid() == 0;
}

static void say_waiting(void)
{
	fputs("vfio-boot: another vfio-boot is working on this tree; waiting for it\n", stderr);
}

/* One line: what is damaged, what it covers, and the way out. */
static void report_damage(const struct cli *cli, const struct vb_journal_damage *d)
{
	char journal[PATH_MAX], files[1024] = "";

	vb_root_display(&cli->root, VB_JOURNAL_PATH, journal, sizeof(journal));
	for (size_t i = 0; i < d->paths.count; i++)
		snprintf(files + strlen(files), sizeof(files) - strlen(files), "%s%s", i ? ", " : "",
			 d->paths.items[i]);
	cli_error("%s is damaged (record %zu: %s), so nothing was changed. %s%s%scheck %s by hand, "
		  "then move the journal aside (mv %s %s.damaged) and run vfio-boot again",
		  journal, d->record, d->why, files[0] ? "It covers " : "", files,
		  files[0] ? ": " : "", files[0] ? "them" : "the files configure writes", journal,
		  journal);
}

static void describe_run(const struct vb_journal *j, char *buf, size_t size)
{
	time_t t = (time_t)j->started;
	struct tm tm;
	char when[32] = "?";

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "an interrupted %s (begun %s)",
		 j->op == VB_OP_CONFIGURE ? "configure" : "unconfigure", when);
}

int session_begin(struct session *s, const struct cli *cli, bool lock)
{
	struct vb_journal_damage d;
	char what[96];
	long holder = 0;
	int err;

	memset(s, 0, sizeof(*s));
	s->cli = cli;
	s->lock_fd = -1;
	session_engine(cli, &s->engine);
	if (lock) {
		s->lock_fd = vb_state_lock(&cli->root, cli->wait, say_waiting, &holder);
		if (s->lock_fd == -EWOULDBLOCK) {
			if (holder > 0)
				cli_error("the tree is still locked by vfio-boot (pid %ld) or a command it "
					  "ran, after %u s: try again when it is done",
					  holder, cli->wait);
			else
				cli_error("the tree is still locked by another vfio-boot after %u s: try "
					  "again when it is done", cli->wait);
			return VB_EXIT_BUSY;
		}
		if (s->lock_fd < 0) {
			cli_error("cannot lock %s: %s", VB_LOCK_PATH, vb_strerror(s->lock_fd));
			return VB_EXIT_FAILED;
		}
	}
	err = vb_state_load(&cli->root, &s->journal, &d);
	if (err == -EBADMSG) {
		report_damage(cli, &d);
		vb_journal_damage_free(&d);
		session_end(s);
		return VB_EXIT_JOURNAL;
	}
	vb_journal_damage_free(&d);
	if (err < 0 && err != -ENOENT) {
		cli_error("cannot read %s: %s", VB_JOURNAL_PATH, vb_strerror(err));
		session_end(s);
		return VB_EXIT_FAILED;
	}
	if (!s->journal.open)
		return 0;
	describe_run(&s->journal, what, sizeof(what));
	if (!lock) {
		cli_note("%s is pending: the next configure, unconfigure or status run as root "
			 "finishes or rolls it back", what);
		return 0;
	}
	err = vb_changeset_recover(&s->engine, &s->journal);
	if (err < 0) {
		cli_error("%s could not be rolled back in full: run vfio-boot again once the problem "
			  "above is fixed", what);
		session_end(s);
		return VB_EXIT_FAILED;
	}
	cli_note("%s was %s", what, err == 1 ? "finished" : "rolled back");
	vb_outcome_changed(); /* files and images changed, whatever this run does next */
	return 0;
}

void session_end(struct session *s)
{
	vb_journal_free(&s->journal);
	if (s->lock_fd >= 0)
		vb_state_unlock(&s->cli->root, s->lock_fd);
	s->lock_fd = -1;
}
