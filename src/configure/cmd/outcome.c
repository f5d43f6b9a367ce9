// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "outcome.h"

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
	FILE *json_out;      /* the original stdout */
	const char *command; /* "configure" or "unconfigure" */
	const char *root;
	bool host;
	bool dry_run;
	bool changed;
	const char *bootloader; /* NULL until known */
	struct vb_msgs flags;
	struct outcome_function *functions;
	size_t nfunctions;
	struct outcome_file *files;
	size_t nfiles;
	struct outcome_command *commands;
	size_t ncommands;
	char *diff;
	struct vb_msgs warnings; /* note:, warning: and errors an option overrode */
	struct vb_msgs errors;
	bool incomplete;         /* out of memory: something was not recorded */
};

/* The outcome being recorded (only with --json), or NULL. */
static struct outcome *current;

static void collect_msg(void *ctx, enum cli_msg_kind kind, const char *msg)
{
	struct outcome *o = ctx;

	if (kind == CLI_MSG_PROGRESS)
		return; /* what was run is in the changeset's commands */
	if (vb_msgs_add(kind == CLI_MSG_ERROR ? &o->errors : &o->warnings, "%s", msg) < 0)
		o->incomplete = true;
}

int vb_outcome_begin(const char *command, const struct cli *cli)
{
	struct outcome *o;
	int fd;

	if (!cli->json)
		return 0;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	*o = (struct outcome){ .command = command, .root = cli->root.path, .host = cli->root.host,
			       .dry_run = cli->dry_run };
	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	o->json_out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o->json_out || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		int err = errno ? -errno : -ENOMEM;

		if (o->json_out)
			fclose(o->json_out);
		else if (fd >= 0)
			close(fd);
		free(o);
		return err;
	}
	current = o;
	cli_set_msg_sink(collect_msg, o);
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

void vb_outcome_kernel_flags(enum vb_bootloader bl, const struct vb_msgs *flags)
{
	struct outcome *o = current;

	if (!o)
		return;
	o->bootloader = vb_bootloader_name(bl);
	vb_msgs_free(&o->flags);
	for (size_t i = 0; flags && i < flags->count; i++)
		if (vb_msgs_add(&o->flags, "%s", flags->items[i]) < 0)
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

static void json_strings(FILE *out, const struct vb_msgs *m)
{
	fputc('[', out);
	for (size_t i = 0; i < m->count; i++) {
		fputs(i ? ", " : "", out);
		vb_json_string(out, m->items[i]);
	}
	fputc(']', out);
}

static void json_key(FILE *out, const char *key)
{
	fprintf(out, ",\n  \"%s\": ", key);
}

static void json_functions(FILE *out, const struct outcome *o)
{
	fputc('[', out);
	for (size_t i = 0; i < o->nfunctions; i++) {
		const struct outcome_function *f = &o->functions[i];

		fprintf(out, "%s\n    {\"address\": ", i ? "," : "");
		vb_json_string(out, f->address);
		fprintf(out, ", \"vendor\": \"%04x\", \"device\": \"%04x\", \"name\": ", f->vendor,
			f->device);
		vb_json_string(out, f->name);
		fputs(", \"selected_by\": ", out);
		vb_json_string(out, f->selected_by);
		fputs(", \"verdict\": ", out);
		vb_json_string(out, f->verdict);
		fputs(", \"why\": ", out);
		vb_json_string(out, f->why);
		fputc('}', out);
	}
	fputs(o->nfunctions ? "\n  ]" : "]", out);
}

static void json_files(FILE *out, const struct outcome *o)
{
	fputc('[', out);
	for (size_t i = 0; i < o->nfiles; i++) {
		fprintf(out, "%s\n    {\"path\": ", i ? "," : "");
		vb_json_string(out, o->files[i].path);
		fputs(", \"action\": ", out);
		vb_json_string(out, o->files[i].action);
		fputc('}', out);
	}
	fputs(o->nfiles ? "\n  ]" : "]", out);
}

static void json_commands(FILE *out, const struct outcome *o)
{
	fputc('[', out);
	for (size_t i = 0; i < o->ncommands; i++) {
		const struct outcome_command *c = &o->commands[i];

		fprintf(out, "%s\n    {\"argv\": [", i ? "," : "");
		for (size_t a = 0; c->argv[a]; a++) {
			fputs(a ? ", " : "", out);
			vb_json_string(out, c->argv[a]);
		}
		fputs("], \"chroot\": ", out);
		vb_json_string(out, o->host ? NULL : o->root);
		fputs(", \"state\": ", out);
		vb_json_string(out, c->state);
		fputs(", \"status\": ", out);
		if (c->ran)
			fprintf(out, "%d", c->status);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs(o->ncommands ? "\n  ]" : "]", out);
}

static void write_json(const struct outcome *o, int exit_status)
{
	FILE *out = o->json_out;

	fputs("{\n  \"command\": ", out);
	vb_json_string(out, o->command);
	json_key(out, "root");
	vb_json_string(out, o->root);
	json_key(out, "dry_run");
	fputs(o->dry_run ? "true" : "false", out);
	json_key(out, "changed");
	fputs(o->changed ? "true" : "false", out);
	json_key(out, "exit_status");
	fprintf(out, "%d", exit_status);
	json_key(out, "selection");
	json_functions(out, o);
	json_key(out, "bootloader");
	vb_json_string(out, o->bootloader);
	json_key(out, "kernel_flags");
	json_strings(out, &o->flags);
	json_key(out, "files");
	json_files(out, o);
	json_key(out, "diff");
	vb_json_string(out, o->diff ? o->diff : "");
	json_key(out, "commands");
	json_commands(out, o);
	json_key(out, "warnings");
	json_strings(out, &o->warnings);
	json_key(out, "errors");
	json_strings(out, &o->errors);
	json_key(out, "complete");
	fputs(o->incomplete ? "false" : "true", out);
	fputs("\n}\n", out);
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
	vb_msgs_free(&o->flags);
	vb_msgs_free(&o->warnings);
	vb_msgs_free(&o->errors);
	free(o);
}

int vb_outcome_end(int exit_status)
{
	struct outcome *o = current;
	int rc = exit_status;

	if (!o)
		return rc;
	current = NULL;
	cli_set_msg_sink(NULL, NULL);
	fflush(stdout);
	write_json(o, exit_status);
	if (fclose(o->json_out) != 0) {
		cli_error("cannot write the JSON output");
		rc = VB_EXIT_FAILED;
	}
	outcome_free(o);
	return rc;
}

int vb_outcome_run(const char *command, const struct cli *cli,
		   int (*run)(const struct cli *cli))
{
	if (vb_outcome_begin(command, cli) < 0) {
		cli_error("cannot set up the JSON output");
		return VB_EXIT_FAILED;
	}
	return vb_outcome_end(run(cli));
}
