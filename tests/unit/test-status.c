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

static char *write_report(struct fixture *f, size_t *len)
{
	struct vb_report r = { &f->cfg, &f->snap, &f->plan, f->outcomes, &f->messages, 1234, NULL };
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (!out)
		return NULL;
	CHECK(vb_report_json(out, &r) == 0);
	fclose(out);
	return text;
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

int main(void)
{
	check_round_trip();
	check_cap();
	return unit_report("status");
}
