/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "json.h"

/*
 * --json: every command answers with exactly one JSON object on stdout, and
 * nothing else goes there, errors included. reply_begin (main, once the
 * command word is known) sends the text output to stderr and collects every
 * message through the message sink; the command writes its own members into
 * reply_json(); reply_end adds the members every answer has and closes it.
 *
 * Every object has "command" (the command word; null when none was given),
 * "root" (null when --root was not valid), then the command's own members
 * (none when it stopped before it had any; configure and unconfigure always
 * have theirs), "exit_status", "warnings" (the note: and warning: lines, and
 * errors an option overrode), "errors" (the error lines) and "complete"
 * (false only when memory ran out and something is missing). vfio-boot(8)
 * and the README list each command's members.
 */

/* Starts the answer of command (may be NULL) run with cli. */
void reply_begin(const char *command, const struct cli *cli);

/*
 * The answer's object, open for the command's own members (opened, with
 * "command" and "root", on the first call); NULL without reply_begin.
 */
struct vb_json *reply_json(void);

/* Something could not be recorded (out of memory): the answer says it is not complete. */
void reply_incomplete(void);

/*
 * Writes the rest of the answer and ends it. Returns exit_status, or
 * VB_EXIT_FAILED when the JSON could not be written (after saying so).
 */
int reply_end(int exit_status);

/* A member whose value is the array of strings m. */
void reply_strings(struct vb_json *w, const char *key, const struct vb_strv *m);

/* The members that name a PCI function in every answer: "address", "vendor", "device". */
void reply_function(struct vb_json *w, const char *address, unsigned vendor, unsigned device);
