package api

import "testing"

func TestQueueLabel(t *testing.T) {
	body := "预警等级 橙色（评分 65），信号：越级上访 / skip-level petition；征地拆迁 / land requisition。请于 2026-12-05 03:18 前签收，逾期将报送上级。 / Level orange (score 65); signals: 越级上访 / skip-level petition. Acknowledge before 2026-12-04T19:18:36Z."
	for _, c := range []struct{ in, zh, en string }{
		{"自伤自杀倾向 / self-harm", "自伤自杀倾向", "self-harm"},
		{body, "预警等级 橙色（评分 65），信号：越级上访 / skip-level petition；征地拆迁 / land requisition。请于 2026-12-05 03:18 前签收，逾期将报送上级。",
			"Level orange (score 65); signals: 越级上访 / skip-level petition. Acknowledge before 2026-12-04T19:18:36Z."},
		{"只有中文", "只有中文", "只有中文"},
		{"甲 / a / 乙", "甲 / a / 乙", "甲 / a / 乙"},
	} {
		zh, en := &view{Lang: "zh"}, &view{Lang: "en"}
		if got := zh.QueueLabel(c.in); got != c.zh {
			t.Errorf("zh %q: %q", c.in, got)
		}
		if got := en.QueueLabel(c.in); got != c.en {
			t.Errorf("en %q: %q", c.in, got)
		}
	}
}
