// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "json.h"
#include "text.h"
#include "unit.h"

/* A document made by build (with ctx), its text and what vb_json_finish said. */
static char *document(void (*build)(struct vb_json *w, const void *ctx), const void *ctx, int *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct vb_json w;

	if (!out)
		return NULL;
	vb_json_init(&w, out);
	build(&w, ctx);
	*err = vb_json_finish(&w);
	CHECK(w.written == len);
	fclose(out);
	return text;
}

struct cut {
	const char *s;
	size_t max; /* 0: not cut */
};

static void build_string(struct vb_json *w, const void *ctx)
{
	const struct cut *c = ctx;

	if (c->max)
		vb_json_string_cut(w, c->s, c->max);
	else
		vb_json_string(w, c->s);
}

/* What the writer makes of s (cut to max when max is not 0). */
static char *written(const char *s, size_t max)
{
	const struct cut c = { s, max };
	int err = 0;
	char *text = document(build_string, &c, &err);

	CHECK(err == 0);
	return text;
}

static bool all_utf8(const char *s)
{
	for (size_t len = strlen(s), pos = 0, n; pos < len; pos += n)
		if ((n = vb_utf8_char_len(s + pos, len - pos)) == 0)
			return false;
	return true;
}

static void writes(const char *in, size_t max, const char *want)
{
	char *got = written(in, max);

	CHECK_STR(got, want);
	CHECK(got && all_utf8(got));
	free(got);
}

static void check_writer(void)
{
	writes("plain", 0, "\"plain\"");
	writes("q\"b\\s/", 0, "\"q\\\"b\\\\s/\"");
	writes("\n\t\r\x01\x7f", 0, "\"\\n\\t\\u000d\\u0001\\u007f\"");
	writes("caf\xc3\xa9", 0, "\"caf\xc3\xa9\"");
	/* Bytes that are not UTF-8 become \u00NN of their value. */
	writes("\xff\xfe", 0, "\"\\u00ff\\u00fe\"");
	writes("a\xc3", 0, "\"a\\u00c3\"");
	writes("\xed\xa0\x80", 0, "\"\\u00ed\\u00a0\\u0080\"");
	writes("\xc0\xaf", 0, "\"\\u00c0\\u00af\"");
	/* Cut at a character or escape, never through one; "..." says so. */
	writes("abcdefgh", 8, "\"abcdefgh\"");
	writes("abcdefghi", 8, "\"abcde...\"");
	writes("ab\xc3\xa9\xc3\xa9\xc3\xa9", 7, "\"ab\xc3\xa9...\"");
	writes("abcd\x01", 8, "\"abcd...\"");
}

static void makes(void (*build)(struct vb_json *w, const void *ctx), int want_err,
		  const char *want)
{
	int err = 0;
	char *text = document(build, NULL, &err);

	CHECK(err == want_err);
	CHECK_STR(text, want);
	free(text);
}

/* Every kind of value, in both layouts, nested. */
static void build_all(struct vb_json *w, const void *ctx)
{
	(void)ctx;
	vb_json_begin_object(w, VB_JSON_LINES);
	vb_json_field_string(w, "s", "x");
	vb_json_field_number(w, "n", -42);
	vb_json_field_bool(w, "t", true);
	vb_json_key(w, "nothing");
	vb_json_null(w);
	vb_json_key(w, "or-null");
	vb_json_string_or_null(w, "");
	vb_json_key(w, "hex");
	vb_json_stringf(w, "%04x", 0x10deu);
	vb_json_key(w, "empty");
	vb_json_begin_array(w, VB_JSON_LINES);
	vb_json_end_array(w);
	vb_json_key(w, "flags");
	vb_json_begin_array(w, VB_JSON_INLINE);
	vb_json_string(w, "a");
	vb_json_string(w, "b");
	vb_json_end_array(w);
	vb_json_key(w, "lines");
	vb_json_begin_array(w, VB_JSON_LINES);
	vb_json_begin_object(w, VB_JSON_INLINE);
	vb_json_field_string(w, "k", "v");
	vb_json_key(w, "argv");
	vb_json_begin_array(w, VB_JSON_INLINE);
	vb_json_string(w, NULL);
	vb_json_end_array(w);
	vb_json_end_object(w);
	vb_json_begin_object(w, VB_JSON_INLINE);
	vb_json_end_object(w);
	vb_json_end_array(w);
	vb_json_end_object(w);
}

static void build_number_texts(struct vb_json *w, const void *ctx)
{
	(void)ctx;
	vb_json_begin_array(w, VB_JSON_INLINE);
	vb_json_number_text(w, "-2.5e3");
	vb_json_number_text(w, "0");
	vb_json_number_text(w, "1E+5");
	vb_json_number_text(w, "01");
	vb_json_end_array(w);
}

static void build_bad_number(struct vb_json *w, const void *ctx)
{
	(void)ctx;
	vb_json_number_text(w, "1.");
}

/*
 * Calls the writer as ops (a string) says: '{' '}' an inline object, '[' ']'
 * an inline array, 'L' an array one member a line, 'k' the key "a", 'n' the
 * number 1, 'f' false, 'z' null, 's' the string "s".
 */
static void build_ops(struct vb_json *w, const void *ctx)
{
	for (const char *op = ctx; *op; op++) {
		switch (*op) {
		case '{': vb_json_begin_object(w, VB_JSON_INLINE); break;
		case '}': vb_json_end_object(w); break;
		case '[': vb_json_begin_array(w, VB_JSON_INLINE); break;
		case ']': vb_json_end_array(w); break;
		case 'L': vb_json_begin_array(w, VB_JSON_LINES); break;
		case 'k': vb_json_key(w, "a"); break;
		case 'n': vb_json_number(w, 1); break;
		case 'f': vb_json_bool(w, false); break;
		case 'z': vb_json_null(w); break;
		case 's': vb_json_string(w, "s"); break;
		}
	}
}

static void makes_ops(const char *ops, int want_err, const char *want)
{
	int err = 0;
	char *text = document(build_ops, ops, &err);

	if (err != want_err)
		fprintf(stderr, "ops '%s': %d, want %d\n", ops, err, want_err);
	CHECK(err == want_err);
	CHECK_STR(text, want);
	free(text);
}

/* The emitter owns the structure: commas, layout, and it refuses what is not JSON. */
static void check_emitter(void)
{
	char deep[2 * VB_JSON_DEPTH_MAX + 2], ops[2 * VB_JSON_DEPTH_MAX + 3];

	makes(build_all, 0,
	      "{\n"
	      "  \"s\": \"x\",\n"
	      "  \"n\": -42,\n"
	      "  \"t\": true,\n"
	      "  \"nothing\": null,\n"
	      "  \"or-null\": null,\n"
	      "  \"hex\": \"10de\",\n"
	      "  \"empty\": [],\n"
	      "  \"flags\": [\"a\", \"b\"],\n"
	      "  \"lines\": [\n"
	      "    {\"k\": \"v\", \"argv\": [null]},\n"
	      "    {}\n"
	      "  ]\n"
	      "}\n");
	makes(build_number_texts, -EINVAL, "[-2.5e3, 0, 1E+5");
	makes(build_bad_number, -EINVAL, "");
	/* Misuse: refused, and nothing is written after it. */
	makes_ops("[n{kfk[s]}]", 0, "[1, {\"a\": false, \"a\": [\"s\"]}]\n");
	makes_ops("k", -EINVAL, "");                   /* a key outside an object */
	makes_ops("[nkn]", -EINVAL, "[1");             /* a key in an array */
	makes_ops("{kfs}", -EINVAL, "{\"a\": false"); /* a value without its key */
	makes_ops("{kk", -EINVAL, "{\"a\": ");         /* two keys */
	makes_ops("{k}", -EINVAL, "{\"a\": ");         /* a key without its value */
	makes_ops("{]}", -EINVAL, "{");                /* an end that does not match */
	makes_ops("n]", -EINVAL, "1");                 /* an end with nothing open */
	makes_ops("Ln", -EINVAL, "[\n  1");             /* left open */
	makes_ops("[]z", -EINVAL, "[]\n");              /* a second document */
	makes_ops("", -EINVAL, "");                    /* nothing */
	/* As deep as the reader takes, and one deeper. */
	memset(ops, '[', VB_JSON_DEPTH_MAX);
	memset(ops + VB_JSON_DEPTH_MAX, ']', VB_JSON_DEPTH_MAX);
	ops[2 * VB_JSON_DEPTH_MAX] = '\0';
	memcpy(deep, ops, 2 * VB_JSON_DEPTH_MAX);
	deep[2 * VB_JSON_DEPTH_MAX] = '\n';
	deep[2 * VB_JSON_DEPTH_MAX + 1] = '\0';
	makes_ops(ops, 0, deep);
	memset(ops, '[', VB_JSON_DEPTH_MAX + 1);
	memset(ops + VB_JSON_DEPTH_MAX + 1, ']', VB_JSON_DEPTH_MAX + 1);
	ops[2 * VB_JSON_DEPTH_MAX + 2] = '\0';
	deep[VB_JSON_DEPTH_MAX] = '\0';
	makes_ops(ops, -EINVAL, deep);
	/* A write error is said too. */
	{
		FILE *full = fopen("/dev/full", "w");
		struct vb_json w;

		CHECK(full != NULL);
		if (full) {
			vb_json_init(&w, full);
			vb_json_begin_array(&w, VB_JSON_INLINE);
			vb_json_end_array(&w);
			CHECK(vb_json_finish(&w) == -EIO);
			fclose(full);
		}
	}
}

static void parses(const char *text, int want_err)
{
	struct vb_json_value v;
	char why[128] = "";
	int err = vb_json_parse(text, strlen(text), &v, why, sizeof(why));

	if (err != want_err)
		fprintf(stderr, "parse '%s': %d (%s), want %d\n", text, err, why, want_err);
	CHECK(err == want_err);
	if (err == 0)
		vb_json_free(&v);
}

static void check_reader(void)
{
	struct vb_json_value v;
	const struct vb_json_value *m;
	static const char doc[] =
		" {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\","
		" \"o\": {}, \"e\": []}\n";
	char deep[2 * VB_JSON_DEPTH_MAX + 3];

	CHECK(vb_json_parse(doc, strlen(doc), &v, NULL, 0) == 0);
	CHECK(v.type == VB_JSON_OBJECT && v.count == 4);
	m = vb_json_member(&v, "a");
	CHECK(m && m->type == VB_JSON_ARRAY && m->count == 5);
	CHECK(m && m->items[1].type == VB_JSON_NUMBER && strcmp(m->items[1].text, "-2.5e3") == 0);
	CHECK(m && m->items[2].type == VB_JSON_TRUE && m->items[4].type == VB_JSON_NULL);
	CHECK_STR(vb_json_text(vb_json_member(&v, "s")), "x\xc3\xa9\xf0\x9f\x98\x80\n");
	CHECK(vb_json_member(&v, "missing") == NULL);
	CHECK(vb_json_text(vb_json_member(&v, "o")) == NULL);
	vb_json_free(&v);

	parses("[]", 0);
	parses("\"\"", 0);
	parses("0", 0);
	parses("", -EINVAL);
	parses("[1,]", -EINVAL);
	parses("{\"a\" 1}", -EINVAL);
	parses("{\"a\": 1,}", -EINVAL);
	parses("[1] x", -EINVAL);
	parses("01", -EINVAL);
	parses("1.", -EINVAL);
	parses("tru", -EINVAL);
	parses("\"a", -EINVAL);
	parses("\"\\x\"", -EINVAL);
	parses("\"\\u12\"", -EINVAL);
	parses("\"\\u0000\"", -EINVAL);
	parses("\"\\ud800\"", -EINVAL);
	parses("\"\\udc00\"", -EINVAL);
	parses("\"\\ud800\\u0041\"", -EINVAL);
	parses("\"\x01\"", -EINVAL);
	parses("\"\xff\"", -EINVAL);
	parses("\"\xed\xa0\x80\"", -EINVAL);

	memset(deep, '[', VB_JSON_DEPTH_MAX + 1);
	memset(deep + VB_JSON_DEPTH_MAX + 1, ']', VB_JSON_DEPTH_MAX + 1);
	deep[2 * VB_JSON_DEPTH_MAX + 2] = '\0';
	parses(deep, -EINVAL);
	parses(deep + 1 + 0 * sizeof(char), -EINVAL); /* unbalanced */
	deep[2 * VB_JSON_DEPTH_MAX + 1] = '\0';
	parses(deep + 1, 0);                          /* VB_JSON_DEPTH_MAX deep: fine */
}

/* Whatever bytes go in, the writer's output parses back; valid UTF-8 comes back as it was. */
static void check_round_trip(void)
{
	static const char *const samples[] = {
		"", "plain", "\"\\/\b\f\n\r\t", "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"\xc2\x80\xdf\xbf\xef\xbf\xbf",
	};
	char junk[256];

	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		char *text = written(samples[i], 0);
		struct vb_json_value v;

		CHECK(text && vb_json_parse(text, strlen(text), &v, NULL, 0) == 0);
		CHECK_STR(vb_json_text(&v), samples[i]);
		vb_json_free(&v);
		free(text);
	}
	for (size_t i = 0; i < 255; i++)
		junk[i] = (char)(i + 1);
	junk[255] = '\0';
	{
		char *text = written(junk, 0);
		struct vb_json_value v;

		CHECK(text && all_utf8(text));
		CHECK(text && vb_json_parse(text, strlen(text), &v, NULL, 0) == 0);
		CHECK(v.type == VB_JSON_STRING);
		vb_json_free(&v);
		free(text);
	}
}

int main(void)
{
	check_writer();
	check_emitter();
	check_reader();
	check_round_trip();
	return unit_report("json");
}
