package cases

import "testing"

// BenchmarkAssess is the assessment of one typical intake (it runs on every intake and edit).
func BenchmarkAssess(b *testing.B) {
	in := RiskInput{Title: "楼上漏水致楼下天花板受损", Parties: 2, AmountYuan: 3500,
		Description: "长寿路某小区501室卫生间漏水，致401室天花板霉变，双方就维修与赔偿协商未果。401室业主称对方态度恶劣，扬言要去北京上访，双方并未动手。"}
	Assess(in) // the segmentation dictionary loads once, outside the measure
	b.ResetTimer()
	for b.Loop() {
		Assess(in)
	}
}
