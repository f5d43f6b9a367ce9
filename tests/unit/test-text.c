// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "text.h"
#include "unit.h"

static size_t char_len(const char *s)
{
	return vb_utf8_char_len(s, strlen(s));
}

static void check_utf8(void)
{
	CHECK(char_len("a") == 1);
	CHECK(char_len("\xc3\xa9") == 2);                 /* é */
	CHECK(char_len("\xe2\x82\xac") == 3);             /* € */
	CHECK(char_len("\xf0\x9f\x98\x80") == 4);         /* U+1F600 */
	CHECK(char_len("\xf4\x8f\xbf\xbf") == 4);         /* U+10FFFF */
	CHECK(char_len("\x80") == 0);                     /* stray continuation */
	CHECK(char_len("\xc0\xaf") == 0);                 /* overlong '/' */
	CHECK(char_len("\xc1\xbf") == 0);
	CHECK(char_len("\xe0\x80\xaf") == 0);             /* overlong */
	CHECK(char_len("\xed\xa0\x80") == 0);             /* surrogate U+D800 */
	CHECK(char_len("\xf0\x80\x80\xaf") == 0);         /* overlong */
	CHECK(char_len("\xf4\x90\x80\x80") == 0);         /* above U+10FFFF */
	CHECK(char_len("\xf5\x80\x80\x80") == 0);
	CHECK(char_len("\xff") == 0);
	CHECK(char_len("\xc3") == 0);                     /* cut short */
	CHECK(char_len("\xe2\x82") == 0);
	CHECK(char_len("\xe2\x82(") == 0);
	CHECK(vb_utf8_char_len("\xc3\xa9", 1) == 0);

	CHECK(vb_utf8_cut("abc", 3, 10) == 3);
	CHECK(vb_utf8_cut("abc", 3, 2) == 2);
	CHECK(vb_utf8_cut("a\xc3\xa9z", 4, 2) == 1);      /* never through é */
	CHECK(vb_utf8_cut("a\xc3\xa9z", 4, 3) == 3);
	CHECK(vb_utf8_cut("\xff\xfe\xfd", 3, 2) == 2);    /* stray bytes: one unit each */

	CHECK(vb_utf8_complete("ab\xc3", 3) == 2);
	CHECK(vb_utf8_complete("ab\xc3\xa9", 4) == 4);
	CHECK(vb_utf8_complete("a\xf0\x9f\x98", 4) == 1);
	CHECK(vb_utf8_complete("a\xf0\x9f\x98\x80", 5) == 5);
	CHECK(vb_utf8_complete("abc", 3) == 3);
}

static void check_format(void)
{
	char buf[6];

	CHECK(vb_text_format(buf, sizeof(buf), "%s", "abc") == 3);
	CHECK_STR(buf, "abc");
	/* "abcd" and the first byte of é fit in 6 with the NUL: é goes whole. */
	CHECK(vb_text_format(buf, sizeof(buf), "abcd%s", "\xc3\xa9") == 4);
	CHECK_STR(buf, "abcd");
	CHECK(vb_text_format(buf, sizeof(buf), "abc%s", "\xc3\xa9") == 5);
	CHECK_STR(buf, "abc\xc3\xa9");
}

static void printable(size_t size, const char *in, const char *want, bool cut)
{
	char buf[128];

	CHECK(size <= sizeof(buf));
	CHECK(vb_text_printable(buf, size, in) == cut);
	CHECK_STR(buf, want);
}

static void check_printable(void)
{
	printable(64, "plain text", "plain text", false);
	printable(64, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", false);
	/* Control bytes, DEL, C1 controls and bytes that are not UTF-8 are escaped. */
	printable(64, "a\nb\rc\033[2Jd", "a\\x0ab\\x0dc\\x1b[2Jd", false);
	printable(64, "\x7f", "\\x7f", false);
	printable(64, "\xc2\x9b" "31m", "\\xc2\\x9b31m", false);   /* CSI as U+009B */
	printable(64, "\xff\xfe junk", "\\xff\\xfe junk", false);
	printable(64, "\xed\xa0\x80", "\\xed\\xa0\\x80", false);  /* a surrogate */
	/* Cut before a character or an escape, with "..." to say so. */
	printable(8, "abcdefghij", "abcd...", true);
	printable(8, "abcdefg", "abcdefg", false);
	printable(8, "ab\xc3\xa9\xc3\xa9\xc3\xa9", "ab\xc3\xa9...", true);
	printable(10, "ab\x01\x02\x03", "ab\\x01...", true);
	printable(3, "abcdef", "ab", true);       /* too small even for "..." */
}

int main(void)
{
	check_utf8();
	check_format();
	check_printable();
	return unit_report("text");
}
