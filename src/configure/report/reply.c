// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "reply.h"

struct reply {
	bool active;             /* between reply_begin and reply_end */
	bool opened;             /* the object is open on stdout */
	const char *command;
	const struct cli *cli;
	struct vb_json json;
	struct vb_strv warnings; /* note:, warning: and errors an option overrode */
	struct vb_strv errors;
	bool incomplete;         /* out of memory: something was not recorded */
};

static struct reply reply;

static void collect(void *ctx, enum cli_msg_kind kind, const char *msg)
{
	struct reply *r = ctx;

	if (kind == CLI_MSG_PROGRESS)
		return; /* said on stderr; what was run is in the command's own members */
	if (vb_strv_add(kind == CLI_MSG_ERROR ? &r->errors : &r->warnings, "%s", msg) < 0)
		r->incomplete = true;
}

void reply_begin(const char *command, const struct cli *cli)
{
	reply = (struct reply){ .active = true, .command = command, .cli = cli };
	cli_text_to_stderr();
	cli_set_msg_sink(collect, &reply);
}

struct vb_json *reply_json(void)
{
	if (!reply.active)
		return NULL;
	if (!reply.opened) {
		reply.opened = true;
		vb_json_init(&reply.json, stdout);
		vb_json_begin_object(&reply.json, VB_JSON_LINES);
		vb_json_field_string(&reply.json, "command", reply.command);
		vb_json_field_string(&reply.json, "root", reply.cli->root.path);
	}
	return &reply.json;
}

void reply_incomplete(void)
{
	reply.incomplete = true;
}

void reply_strings(struct vb_json *w, const char *key, const struct vb_strv *m)
{
	vb_json_key(w, key);
	vb_json_begin_array(w, VB_JSON_INLINE);
	for (size_t i = 0; i < m->count; i++)
		vb_json_string(w, m->items[i]);
	vb_json_end_array(w);
}

int reply_end(int exit_status)
{
	struct vb_json *w = reply_json();
	int err;

	if (!w)
		return exit_status;
	cli_set_msg_sink(NULL, NULL);
	vb_json_field_number(w, "exit_status", exit_status);
	reply_strings(w, "warnings", &reply.warnings);
	reply_strings(w, "errors", &reply.errors);
	vb_json_field_bool(w, "complete", !reply.incomplete);
	vb_json_end_object(w);
	err = vb_json_finish(w);
	vb_strv_free(&reply.warnings);
	vb_strv_free(&reply.errors);
	reply.active = false;
	if (err < 0) {
		cli_error("cannot write the JSON output: %s", vb_strerror(err));
		return VB_EXIT_FAILED;
	}
	return exit_status;
}

void reply_function(struct vb_json *w, const char *address, unsigned vendor, unsigned device)
{
	vb_json_field_string(w, "address", address);
	vb_json_field_hex(w, "vendor", vendor, 4);
	vb_json_field_hex(w, "device", device, 4);
}
