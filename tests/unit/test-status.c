// SPDX-License-Identifier: GPL-2.0-or-later
/* status.json: what the binder's writer puts down, the configurator's reader gets back. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "status.h"
#include "text.h"
#include "unit.h"

struct fixture {
	struct vb_config cfg;
	struct vb_snapshot snap;
	struct vb_plan plan;
	struct vb_outcome *outcomes;
	struct vb_strv messages;
};

/* count functions 10de:2504 at 0000:BB:00.0, all selected by ID, all failed with reason. */
static void make(struct fixture *f, size_t count, const char *reason, const char *driver)
{
	memset(f, 0, sizeof(*f));
	vb_config_init(&f->cfg);
	vb_config_add_selectors(&f->cfg, &f->cfg.select, "test", "10de:2504", 9);
	f->snap.fns = calloc(count, sizeof(*f->snap.fns));
	for (size_t i = 0; i < count; i++) {
		struct vb_pci_fn *fn = &f->snap.fns[i];

		fn->addr = (struct vb_pci_addr){ (uint32_t)(i >> 8), (uint8_t)i, 0, 0 };
		vb_pci_addr_format(&fn->addr, fn->name, sizeof(fn->name));
		fn->vendor = 0x10de;
		fn->device = 0x2504;
		fn->class = 0x030000;
		fn->header_type = 0;
		fn->boot_vga = 0;
		fn->iommu_group = (long)i;
		snprintf(fn->driver, sizeof(fn->driver), "%s", driver);
	}
	f->snap.count = count;
	CHECK(vb_plan_build(&f->cfg, &f->snap, NULL, &f->plan) == 0);
	f->outcomes = calloc(count, sizeof(*f->outcomes));
	for (size_t i = 0; i < f->plan.count; i++) {
		f->outcomes[i].result = VB_RESULT_FAILED;
		snprintf(f->outcomes[i].driver_after, sizeof(f->outcomes[i].driver_after), "%s",
			 driver);
		snprintf(f->outcomes[i].reason, sizeof(f->outcomes[i].reason), "%s", reason);
		snprintf(f->outcomes[i].driver, sizeof(f->outcomes[i].driver), "nvgrace-gpu-vfio-pci");
		snprintf(f->outcomes[i].reset_method, sizeof(f->outcomes[i].reset_method),
			 "device_specific bus");
	}
}

static void unmake(struct fixture *f)
{
	free(f->outcomes);
	vb_plan_free(&f->plan);
	free(f->snap.fns);
	vb_config_free(&f->cfg);
	vb_strv_free(&f->messages);
}

/* The report of f (event: what ran), merged into earlier when not NULL. */
static char *write_merged(struct fixture *f, size_t *len, const char *event,
			  const struct vb_json_value *earlier)
{
	struct vb_report r = { &f->cfg, &f->snap, &f->plan, f->outcomes, &f->messages, 1234,
			       NULL, "test", event };
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (!out)
		return NULL;
	CHECK(vb_report_json(out, &r, earlier) == 0);
	fclose(out);
	return text;
}

static char *write_report(struct fixture *f, size_t *len)
{
	return write_merged(f, len, VB_EVENT_BOOT, NULL);
}

static void check_round_trip(void)
{
	struct fixture f;
	struct vb_status st;
	const struct vb_status_device *d;
	char why[128] = "", *text;
	size_t len;

	make(&f, 3, "modprobe vfio-pci did not finish in 10 s", "nouveau");
	vb_strv_add(&f.messages, "/etc/vfio-boot.conf:2: invalid selector '\xff\xfe\x01'");
	text = write_report(&f, &len);
	CHECK(text && vb_status_parse(text, len, &st, why, sizeof(why)) == 0);
	CHECK(st.count == 3 && !st.disabled && st.devices_omitted == 0);
	d = vb_status_device(&st, "0000:01:00.0");
	CHECK(d && strcmp(d->result, "failed") == 0);
	CHECK_STR(d ? d->reason : NULL, "modprobe vfio-pci did not finish in 10 s");
	CHECK_STR(d ? d->driver_after : NULL, "nouveau");
	CHECK_STR(d ? d->driver : NULL, "nvgrace-gpu-vfio-pci");
	CHECK_STR(d ? d->reset_method : NULL, "device_specific bus");
	CHECK(vb_status_device(&st, "0000:09:00.0") == NULL);
	vb_status_free(&st);
	free(text);
	unmake(&f);

	/* A document that is JSON but not a report, or not JSON. */
	CHECK(vb_status_parse("{}", 2, &st, why, sizeof(why)) < 0);
	CHECK_STR(why, "not a vfio-boot report: no devices list or disabled flag");
	CHECK(vb_status_parse("{\"devices\": [", 13, &st, why, sizeof(why)) < 0);
	CHECK(strstr(why, "at byte 13") != NULL);
	/* Whitespace and member order are the writer's business, not the reader's. */
	{
		static const char other[] = "{\"devices\":[{\"reason\":\"r\",\"result\":\"bound\","
					    "\"address\":\"0000:01:00.0\"},{\"x\":1}],"
					    "\"disabled\":true}";

		CHECK(vb_status_parse(other, strlen(other), &st, why, sizeof(why)) == 0);
		CHECK(st.disabled && st.count == 1);
		vb_status_free(&st);
	}
}

/* However much there is to say, the file stays under the cap and counts what it left out. */
static void check_cap(void)
{
	struct fixture f;
	struct vb_status st;
	char why[128] = "", *text, reason[VB_REASON_MAX], junk[900];
	size_t len;

	memset(reason, '\x01', sizeof(reason) - 1); /* each byte escaped to 6 */
	reason[sizeof(reason) - 1] = '\0';
	memset(junk, '\xff', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	make(&f, 600, reason, "\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12");
	for (size_t i = 0; i < 2000; i++)
		vb_strv_add(&f.messages, "message %zu: %s", i, junk);
	text = write_report(&f, &len);
	CHECK(text && len < VB_STATUS_MAX);
	CHECK(text && vb_status_parse(text, len, &st, why, sizeof(why)) == 0);
	CHECK(st.count > 50 && st.count < 600);
	CHECK(st.count + st.devices_omitted == 600);
	{
		const struct vb_json_value *msgs = vb_json_member(&st.doc, "messages");
		const struct vb_json_value *omitted = vb_json_member(&st.doc, "messages_omitted");

		CHECK(msgs && omitted && msgs->count > 10 &&
		      msgs->count + strtoul(omitted->text, NULL, 10) == 2000);
	}
	vb_status_free(&st);
	free(text);
	unmake(&f);
}

/* The address, result and event of entry i of a report. */
static void check_entry(const struct vb_status *st, size_t i, const char *address,
			const char *result, const char *event)
{
	CHECK(i < st->count);
	if (i >= st->count)
		return;
	CHECK_STR(st->devices[i].address, address);
	CHECK_STR(st->devices[i].result, result);
	CHECK_STR(st->devices[i].event, event);
}

/*
 * A later run (a device that appeared, a live bind or release) merges into
 * the boot's report: its entries replace those of their address, in address
 * order; the boot's header, messages and other entries stay.
 */
static void check_merge(void)
{
	struct fixture boot, later;
	struct vb_json_value earlier;
	struct vb_status st;
	char why[128] = "", *text, *merged;
	size_t len;

	make(&boot, 3, "at boot", "vfio-pci"); /* 0000:00:00.0, 0000:01:00.0, 0000:02:00.0 */
	boot.cfg.companions = VB_COMPANIONS_SLOT;
	vb_strv_add(&boot.messages, "from the boot");
	text = write_report(&boot, &len);
	CHECK(text && vb_json_parse(text, len, &earlier, why, sizeof(why)) == 0);
	free(text);

	/* The later run: 0000:01:00.0 again, and a new 0000:01:00.0's neighbour 0000:03:00.0. */
	make(&later, 4, "later", "bochs-drm");
	later.plan.targets[0] = later.plan.targets[1];
	later.plan.targets[1] = later.plan.targets[3];
	later.plan.count = 2;
	later.outcomes[0].result = VB_RESULT_RELEASED;
	later.cfg.companions = VB_COMPANIONS_GROUP;
	vb_strv_add(&later.messages, "from later");
	merged = write_merged(&later, &len, VB_EVENT_RELEASE, &earlier);
	CHECK(merged && vb_status_parse(merged, len, &st, why, sizeof(why)) == 0);
	CHECK(st.count == 4);
	check_entry(&st, 0, "0000:00:00.0", "failed", "boot");
	check_entry(&st, 1, "0000:01:00.0", "released", "release");
	check_entry(&st, 2, "0000:02:00.0", "failed", "boot");
	check_entry(&st, 3, "0000:03:00.0", "failed", "release");
	CHECK_STR(st.count > 1 ? st.devices[1].driver_after : NULL, "bochs-drm");
	CHECK_STR(st.count > 2 ? st.devices[2].reason : NULL, "at boot");
	CHECK_STR(vb_json_text(vb_json_member(&st.doc, "companions")), "slot");
	CHECK(vb_status_has_message(&st.doc, "from the boot"));
	CHECK(vb_status_has_message(&st.doc, "from later"));
	CHECK(!vb_status_has_message(&st.doc, "from elsewhere"));
	/* An entry copied keeps every member it had (the class as written). */
	CHECK_STR(vb_json_text(vb_json_member(&st.doc, "version")), "test");
	{
		const struct vb_json_value *devices = vb_json_member(&st.doc, "devices");

		CHECK_STR(vb_json_text(vb_json_member(&devices->items[2], "class")), "030000");
		CHECK_STR(vb_json_text(vb_json_member(&devices->items[2], "selected_by")),
			  "10de:2504");
	}
	vb_status_free(&st);
	free(merged);
	vb_json_free(&earlier);

	/*
	 * An earlier report written by hand: what is not an entry goes, members
	 * that are not strings, numbers, true, false or null are left out.
	 */
	{
		static const char hand[] =
			"{\"devices\": [7, {\"result\": \"bound\"}, {\"address\": \"0000:00:1f.0\", "
			"\"result\": \"bound\", \"nested\": {\"a\": 1}, \"n\": 12, \"ok\": true}],"
			" \"disabled\": true, \"disabled_by\": \"by hand\", \"messages\": [1, \"m\"],"
			" \"devices_omitted\": 5}";

		CHECK(vb_json_parse(hand, strlen(hand), &earlier, why, sizeof(why)) == 0);
		merged = write_merged(&later, &len, VB_EVENT_HOTPLUG, &earlier);
		CHECK(merged && vb_status_parse(merged, len, &st, why, sizeof(why)) == 0);
		CHECK(st.disabled && st.count == 3 && st.devices_omitted == 5);
		check_entry(&st, 0, "0000:00:1f.0", "bound", "boot");
		CHECK(strstr(merged, "nested") == NULL && strstr(merged, "\"n\": 12") != NULL);
		CHECK(strstr(merged, "\"ok\": true") != NULL && strstr(merged, "by hand") != NULL);
		CHECK(vb_status_has_message(&st.doc, "m") && vb_status_has_message(&st.doc, "from later"));
		vb_status_free(&st);
		free(merged);
		vb_json_free(&earlier);
	}
	unmake(&later);
	unmake(&boot);
}

int main(void)
{
	check_round_trip();
	check_cap();
	check_merge();
	return unit_report("status");
}
