// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "reply.h"

struct outcome_function {
	char address[VB_PCI_NAME_MAX]; /* "0000:01:00.0" */
	unsigned vendor, device;
	char *name;                    /* from pci.ids */
	char *selected_by;             /* the selector, or "companion" */
	const char *verdict;           /* "bind", "already-bound", "refuse", "keep" */
	char *why;
};

struct outcome_command {
	char **argv;       /* NULL-terminated */
	const char *state; /* vb_step_state_name: "done", "failed", "skipped"... */
	bool ran;
	int status;
};

struct outcome_file {
	char *path;
	const char *action; /* vb_step_action */
};

struct outcome {
	const char *root;
	bool host;
	bool dry_run;
	bool changed;
	const char *bootloader; /* NULL until known */
	struct vb_strv flags;
	struct outcome_function *functions;
	size_t nfunctions;
	struct outcome_file *files;
	size_t nfiles;
	struct outcome_command *commands;
	size_t ncommands;
	char *diff;
	bool incomplete;         /* out of memory: something was not recorded */
};

/* The outcome being recorded (only with --json), or NULL. */
static struct outcome *current;

int vb_outcome_begin(const struct cli *cli)
{
	struct outcome *o;

	if (!cli->json)
		return 0;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	*o = (struct outcome){ .root = cli->root.path, .host = cli->root.host,
			       .dry_run = cli->dry_run };
	current = o;
	return 0;
}

void vb_outcome_plan(const struct machine *m, const struct vb_plan *plan)
{
	struct outcome *o = current;
	struct outcome_function *grown;

	if (!o || plan->count == 0)
		return;
	grown = realloc(o->functions, (o->nfunctions + plan->count) * sizeof(*grown));
	if (!grown) {
		o->incomplete = true;
		return;
	}
	o->functions = grown;
	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];
		const struct vb_pci_fn *fn = &m->snap.fns[tg->fn];
		struct outcome_function *f = &o->functions[o->nfunctions];
		bool taken = vb_target_taken(tg);
		char name[256];

		vb_pcinames_device(m->names, fn->vendor, fn->device, name, sizeof(name));
		*f = (struct outcome_function){ .vendor = fn->vendor, .device = fn->device };
		snprintf(f->address, sizeof(f->address), "%s", fn->name);
		f->verdict = !taken ? (tg->companion ? "keep" : "refuse") :
			     tg->verdict == VB_VERDICT_ALREADY ? "already-bound" : "bind";
		f->name = strdup(name);
		f->selected_by = strdup(tg->selected_by);
		if (tg->companion || !taken)
			f->why = strdup(tg->reason);
		else if (asprintf(&f->why, "selected by %s%s%s", tg->selected_by,
				  tg->reason[0] ? "; " : "", tg->reason) < 0)
			f->why = NULL;
		if (!f->name || !f->selected_by || !f->why) {
			free(f->name);
			free(f->selected_by);
			free(f->why);
			o->incomplete = true;
			continue;
		}
		o->nfunctions++;
	}
}

void vb_outcome_kernel_flags(enum vb_bootloader bl, const struct vb_strv *flags)
{
	struct outcome *o = current;

	if (!o)
		return;
	o->bootloader = vb_bootloader_name(bl);
	vb_strv_free(&o->flags);
	for (size_t i = 0; flags && i < flags->count; i++)
		if (vb_strv_add(&o->flags, "%s", flags->items[i]) < 0)
			o->incomplete = true;
}

static void steps_free(struct outcome *o)
{
	for (size_t i = 0; i < o->nfiles; i++)
		free(o->files[i].path);
	free(o->files);
	o->files = NULL;
	o->nfiles = 0;
	for (size_t i = 0; i < o->ncommands; i++) {
		for (size_t a = 0; o->commands[i].argv[a]; a++)
			free(o->commands[i].argv[a]);
		free(o->commands[i].argv);
	}
	free(o->commands);
	o->commands = NULL;
	o->ncommands = 0;
	free(o->diff);
	o->diff = NULL;
}

static int add_file(struct outcome *o, const struct vb_step *s)
{
	struct outcome_file *f = &o->files[o->nfiles];

	f->action = vb_step_action(s);
	f->path = strdup(s->path);
	if (!f->path)
		return -ENOMEM;
	o->nfiles++;
	return 0;
}

static int add_command(struct outcome *o, const struct vb_step *s)
{
	struct outcome_command *c = &o->commands[o->ncommands];

	*c = (struct outcome_command){ .argv = calloc(s->argv.count + 1, sizeof(char *)),
				       .state = vb_step_state_name(s->state),
				       .ran = s->state == VB_STEP_DONE || s->state == VB_STEP_FAILED ||
					      s->state == VB_STEP_UNDONE,
				       .status = s->status };
	for (size_t i = 0; c->argv && i < s->argv.count; i++)
		if (!(c->argv[i] = strdup(s->argv.items[i]))) {
			while (i--)
				free(c->argv[i]);
			free(c->argv);
			c->argv = NULL;
		}
	if (!c->argv)
		return -ENOMEM;
	o->ncommands++;
	return 0;
}

void vb_outcome_changeset(const struct vb_changeset *cs)
{
	struct outcome *o = current;
	size_t n, size = 0;
	FILE *mem;

	if (!o)
		return;
	steps_free(o);
	n = vb_changeset_count(cs);
	o->files = calloc(n + 1, sizeof(*o->files));
	o->commands = calloc(n + 1, sizeof(*o->commands));
	if (!o->files || !o->commands) {
		o->incomplete = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vb_step *s = vb_changeset_step(cs, i);
		int err = 0;

		/* Done and not taken back (a rollback that failed, a journal not updated too). */
		if (s->kind != VB_STEP_VERIFY &&
		    (s->state == VB_STEP_DONE || s->state == VB_STEP_STARTED))
			o->changed = true;
		if (s->kind == VB_STEP_FILE || s->kind == VB_STEP_MKDIR || s->kind == VB_STEP_RMDIR)
			err = add_file(o, s);
		else if (s->kind == VB_STEP_COMMAND || s->kind == VB_STEP_REGENERATE)
			err = add_command(o, s);
		if (err < 0)
			o->incomplete = true;
	}
	mem = open_memstream(&o->diff, &size);
	if (!mem || vb_changeset_diff(cs, mem) < 0)
		o->incomplete = true;
	if (mem)
		fclose(mem);
}

void vb_outcome_changed(void)
{
	if (current)
		current->changed = true;
}

static void json_functions(struct vb_json *w, const struct outcome *o)
{
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < o->nfunctions; i++) {
		const struct outcome_function *f = &o->functions[i];

		vb_json_begin_object(w, VB_JSON_INLINE);
		reply_function(w, f->address, f->vendor, f->device);
		vb_json_field_string(w, "name", f->name);
		vb_json_field_string(w, "selected_by", f->selected_by);
		vb_json_field_string(w, "verdict", f->verdict);
		vb_json_field_string(w, "why", f->why);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
}

static void json_files(struct vb_json *w, const struct outcome *o)
{
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < o->nfiles; i++) {
		vb_json_begin_object(w, VB_JSON_INLINE);
		vb_json_field_string(w, "path", o->files[i].path);
		vb_json_field_string(w, "action", o->files[i].action);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
}

static void json_commands(struct vb_json *w, const struct outcome *o)
{
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < o->ncommands; i++) {
		const struct outcome_command *c = &o->commands[i];

		vb_json_begin_object(w, VB_JSON_INLINE);
		vb_json_key(w, "argv");
		vb_json_begin_array(w, VB_JSON_INLINE);
		for (size_t a = 0; c->argv[a]; a++)
			vb_json_string(w, c->argv[a]);
		vb_json_end_array(w);
		vb_json_field_string(w, "chroot", o->host ? NULL : o->root);
		vb_json_field_string(w, "state", c->state);
		vb_json_key(w, "status");
		if (c->ran)
			vb_json_number(w, c->status);
		else
			vb_json_null(w);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
}

/* The outcome's members of the --json answer. */
static void write_json(struct vb_json *w, const struct outcome *o)
{
	vb_json_field_bool(w, "dry_run", o->dry_run);
	vb_json_field_bool(w, "changed", o->changed);
	vb_json_key(w, "selection");
	json_functions(w, o);
	vb_json_field_string(w, "bootloader", o->bootloader);
	reply_strings(w, "kernel_flags", &o->flags);
	vb_json_key(w, "files");
	json_files(w, o);
	vb_json_field_string(w, "diff", o->diff ? o->diff : "");
	vb_json_key(w, "commands");
	json_commands(w, o);
}

static void outcome_free(struct outcome *o)
{
	for (size_t i = 0; i < o->nfunctions; i++) {
		free(o->functions[i].name);
		free(o->functions[i].selected_by);
		free(o->functions[i].why);
	}
	free(o->functions);
	steps_free(o);
	vb_strv_free(&o->flags);
	free(o);
}

int vb_outcome_end(int exit_status)
{
	struct outcome *o = current;
	struct vb_json *w = reply_json();

	if (!o)
		return exit_status;
	current = NULL;
	if (w)
		write_json(w, o);
	if (o->incomplete)
		reply_incomplete();
	outcome_free(o);
	return exit_status;
}

int vb_outcome_run(const struct cli *cli, int (*run)(const struct cli *cli))
{
	if (vb_outcome_begin(cli) < 0) {
		cli_error("cannot record the outcome: %s", vb_strerror(-ENOMEM));
		return VB_EXIT_FAILED;
	}
	return vb_outcome_end(run(cli));
}
