package codes

import "testing"

func TestOf(t *testing.T) {
	type colour string
	s := Of([]colour{"red", "blue"}, map[colour][2]string{"red": {"红色", "Red"}})
	tests := []struct {
		name, code, zh string
		found          bool
	}{
		{"named", "red", "红色", true},
		{"listed without names shows the code", "blue", "blue", true},
		{"not listed", "green", "green", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := s.Lookup(tt.code); ok != tt.found {
				t.Errorf("Lookup(%q) found %v, want %v", tt.code, ok, tt.found)
			}
			if got := s.ZH(tt.code); got != tt.zh {
				t.Errorf("ZH(%q) = %q, want %q", tt.code, got, tt.zh)
			}
		})
	}
	if got := s.Codes(); len(got) != 2 || got[0] != "red" || got[1] != "blue" {
		t.Errorf("Codes() = %v", got)
	}
}

func TestZHList(t *testing.T) {
	s := Set{{Code: "due", ZH: "待回访"}, {Code: "done", ZH: "已回访"}}
	if got, want := s.ZHList(), `“待回访”（"due"）、“已回访”（"done"）`; got != want {
		t.Errorf("ZHList() = %s, want %s", got, want)
	}
	if Leaks(s.ZHList(), nil) != nil {
		t.Errorf("the list %s leaks codes into Chinese", s.ZHList())
	}
}
