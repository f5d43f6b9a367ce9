// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "outcome.h"

static bool is_host(const struct vb_outcome *o)
{
	return strcmp(o->root, "/") == 0;
}

static void collect_error(void *ctx, const char *msg)
{
	struct vb_outcome *o = ctx;

	if (vb_msgs_add(&o->errors, "%s", msg) < 0)
		o->incomplete = true;
}

int vb_outcome_begin(struct vb_outcome *o, const char *command, const struct cli *cli)
{
	int fd;

	*o = (struct vb_outcome){ .json = cli->json, .command = command, .root = cli->root,
				  .dry_run = cli->dry_run };
	if (!o->json)
		return 0;
	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	o->json_out = fdopen(fd, "w");
	if (!o->json_out) {
		close(fd);
		return -ENOMEM;
	}
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		fclose(o->json_out);
		o->json_out = NULL;
		return -errno;
	}
	cli_set_error_sink(collect_error, o);
	return 0;
}

static void add_msg(struct vb_outcome *o, struct vb_msgs *to, const char *prefix,
		    const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		o->incomplete = true;
		return;
	}
	if (!o->json)
		printf("%s%s\n", prefix, msg);
	else if (vb_msgs_add(to, "%s", msg) < 0)
		o->incomplete = true;
	free(msg);
}

void vb_outcome_note(struct vb_outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_msg(o, &o->warnings, "note: ", fmt, ap);
	va_end(ap);
}

void vb_outcome_warning(struct vb_outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_msg(o, &o->warnings, "warning: ", fmt, ap);
	va_end(ap);
}

void vb_outcome_problem_kept(struct vb_outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (o->json)
		add_msg(o, &o->warnings, "", fmt, ap);
	else
		cli_verror(fmt, ap);
	va_end(ap);
}

void vb_outcome_say(struct vb_outcome *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void vb_outcome_function(struct vb_outcome *o, const struct vb_pci_fn *fn, const char *name,
			 const struct vb_target *t)
{
	bool companion = strcmp(t->selected_by, "companion") == 0;
	struct vb_outcome_function *f, *grown;

	if (!o->json) {
		if (t->verdict == VB_VERDICT_REFUSE)
			printf("refused   %s [%04x:%04x] %s: %s\n", fn->name, fn->vendor, fn->device,
			       name, t->reason);
		else if (companion)
			printf("companion %s [%04x:%04x] %s (%s)\n", fn->name, fn->vendor,
			       fn->device, name, t->reason);
		else
			printf("selected  %s [%04x:%04x] %s (by %s)\n", fn->name, fn->vendor,
			       fn->device, name, t->selected_by);
		return;
	}
	grown = realloc(o->functions, (o->nfunctions + 1) * sizeof(*grown));
	if (!grown) {
		o->incomplete = true;
		return;
	}
	o->functions = grown;
	f = &o->functions[o->nfunctions];
	*f = (struct vb_outcome_function){ .vendor = fn->vendor, .device = fn->device };
	snprintf(f->address, sizeof(f->address), "%s", fn->name);
	f->verdict = t->verdict == VB_VERDICT_REFUSE ? "refuse" :
		     t->verdict == VB_VERDICT_ALREADY ? "already-bound" :
							"bind";
	f->name = strdup(name);
	f->selected_by = strdup(t->selected_by);
	if (companion || t->verdict == VB_VERDICT_REFUSE)
		f->why = strdup(t->reason);
	else if (asprintf(&f->why, "selected by %s%s%s", t->selected_by, t->reason[0] ? "; " : "",
			  t->reason) < 0)
		f->why = NULL;
	if (!f->name || !f->selected_by || !f->why) {
		free(f->name);
		free(f->selected_by);
		free(f->why);
		o->incomplete = true;
		return;
	}
	o->nfunctions++;
}

void vb_outcome_kernel_flags(struct vb_outcome *o, enum vb_bootloader bl,
			     const struct vb_msgs *flags)
{
	o->bootloader = vb_bootloader_name(bl);
	vb_msgs_free(&o->flags);
	for (size_t i = 0; i < flags->count; i++)
		if (vb_msgs_add(&o->flags, "%s", flags->items[i]) < 0)
			o->incomplete = true;
}

void vb_outcome_flags_to_add(struct vb_outcome *o, bool explicit_none, const char *joined)
{
	if (explicit_none)
		vb_outcome_say(o, "--bootloader none: add these flags to the kernel command line "
				  "yourself:\n  %s", joined);
	else if (!o->json)
		printf("no bootloader recognised: add these flags to the kernel command line:\n"
		       "  %s\n", joined);
	else if (vb_msgs_add(&o->warnings, "no bootloader recognised: add these flags to the "
			     "kernel command line: %s", joined) < 0)
		o->incomplete = true;
}

void vb_outcome_files(struct vb_outcome *o, const struct vb_txn *txn, bool show_diff)
{
	size_t n = vb_txn_count(txn), size = 0;
	FILE *mem;

	if (!o->json) {
		if (show_diff)
			vb_txn_diff(txn, stdout);
		return;
	}
	for (size_t i = 0; i < o->nfiles; i++)
		free(o->files[i].path);
	free(o->files);
	o->nfiles = 0;
	o->files = calloc(n ? n : 1, sizeof(*o->files));
	if (!o->files) {
		o->incomplete = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		enum vb_txn_action action;
		const char *path = vb_txn_entry(txn, i, &action);

		o->files[o->nfiles].path = strdup(path);
		o->files[o->nfiles].action = vb_txn_action_name(action);
		if (o->files[o->nfiles].path)
			o->nfiles++;
		else
			o->incomplete = true;
	}
	free(o->diff);
	o->diff = NULL;
	mem = open_memstream(&o->diff, &size);
	if (!mem || vb_txn_diff(txn, mem) < 0)
		o->incomplete = true;
	if (mem)
		fclose(mem);
}

static void print_argv(FILE *out, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		fprintf(out, " %s", argv[i]);
}

void vb_outcome_command(struct vb_outcome *o, const struct vb_command *cmd,
			enum vb_outcome_run how)
{
	static const char *const prefix[] = { "would run:", "not root, so not running:",
					      "running:" };
	struct vb_outcome_command *c, *grown;
	size_t argc = 0;

	if (!o->json) {
		fputs(prefix[how], stdout);
		print_argv(stdout, cmd->argv);
		if (!is_host(o))
			printf("   (chroot %s)", o->root);
		putchar('\n');
		fflush(stdout);
		return;
	}
	while (cmd->argv[argc])
		argc++;
	grown = realloc(o->commands, (o->ncommands + 1) * sizeof(*grown));
	if (!grown) {
		o->incomplete = true;
		return;
	}
	o->commands = grown;
	c = &o->commands[o->ncommands];
	*c = (struct vb_outcome_command){ .argv = calloc(argc + 1, sizeof(char *)) };
	for (size_t i = 0; c->argv && i < argc; i++)
		if (!(c->argv[i] = strdup(cmd->argv[i]))) {
			while (i--)
				free(c->argv[i]);
			free(c->argv);
			c->argv = NULL;
		}
	if (!c->argv) {
		o->incomplete = true;
		return;
	}
	o->ncommands++;
}

void vb_outcome_command_status(struct vb_outcome *o, int status)
{
	if (!o->json || o->ncommands == 0)
		return;
	o->commands[o->ncommands - 1].ran = true;
	o->commands[o->ncommands - 1].status = status;
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

static void write_json(const struct vb_outcome *o, int exit_status)
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
	fputc('[', out);
	for (size_t i = 0; i < o->nfunctions; i++) {
		const struct vb_outcome_function *f = &o->functions[i];

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
	json_key(out, "bootloader");
	vb_json_string(out, o->bootloader);
	json_key(out, "kernel_flags");
	json_strings(out, &o->flags);
	json_key(out, "files");
	fputc('[', out);
	for (size_t i = 0; i < o->nfiles; i++) {
		fprintf(out, "%s\n    {\"path\": ", i ? "," : "");
		vb_json_string(out, o->files[i].path);
		fputs(", \"action\": ", out);
		vb_json_string(out, o->files[i].action);
		fputc('}', out);
	}
	fputs(o->nfiles ? "\n  ]" : "]", out);
	json_key(out, "diff");
	vb_json_string(out, o->diff ? o->diff : "");
	json_key(out, "commands");
	fputc('[', out);
	for (size_t i = 0; i < o->ncommands; i++) {
		const struct vb_outcome_command *c = &o->commands[i];

		fprintf(out, "%s\n    {\"argv\": [", i ? "," : "");
		for (size_t a = 0; c->argv[a]; a++) {
			fputs(a ? ", " : "", out);
			vb_json_string(out, c->argv[a]);
		}
		fputs("], \"chroot\": ", out);
		vb_json_string(out, is_host(o) ? NULL : o->root);
		fputs(", \"status\": ", out);
		if (c->ran)
			fprintf(out, "%d", c->status);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs(o->ncommands ? "\n  ]" : "]", out);
	json_key(out, "warnings");
	json_strings(out, &o->warnings);
	json_key(out, "errors");
	json_strings(out, &o->errors);
	json_key(out, "complete");
	fputs(o->incomplete ? "false" : "true", out);
	fputs("\n}\n", out);
}

static void outcome_free(struct vb_outcome *o)
{
	for (size_t i = 0; i < o->nfunctions; i++) {
		free(o->functions[i].name);
		free(o->functions[i].selected_by);
		free(o->functions[i].why);
	}
	free(o->functions);
	for (size_t i = 0; i < o->nfiles; i++)
		free(o->files[i].path);
	free(o->files);
	for (size_t i = 0; i < o->ncommands; i++) {
		for (size_t a = 0; o->commands[i].argv[a]; a++)
			free(o->commands[i].argv[a]);
		free(o->commands[i].argv);
	}
	free(o->commands);
	free(o->diff);
	vb_msgs_free(&o->flags);
	vb_msgs_free(&o->warnings);
	vb_msgs_free(&o->errors);
}

int vb_outcome_end(struct vb_outcome *o, int exit_status)
{
	int rc = exit_status;

	if (o->json) {
		cli_set_error_sink(NULL, NULL);
		write_json(o, exit_status);
		if (fclose(o->json_out) != 0) {
			cli_error("cannot write the JSON output");
			rc = VB_EXIT_FAILED;
		}
	}
	outcome_free(o);
	return rc;
}
