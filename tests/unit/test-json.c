// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"
#include "unit.h"

/* What the writer makes of s (cut to max when max is not 0). */
static char *written(const char *s, size_t max)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	if (max)
		vb_json_string_cut(out, s, max);
	else
		vb_json_string(out, s);
	fclose(out);
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

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
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
	check_reader();
	check_round_trip();
	return unit_report("json");
}
